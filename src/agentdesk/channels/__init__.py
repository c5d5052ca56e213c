"""Channels: where contacts come from and go out through, each an adapter behind one interface
(`adapter.ChannelAdapter`). The contact core never asks which channel a contact came by; an
adapter hands it plain contacts and tells the network what the core decided.
"""
