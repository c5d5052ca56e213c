"""Contacts: one model of a contact (a call today, a chat tomorrow) and of an agent's presence
per media family, with their state machines as pure data.

- `families.py`: the media families (audio/video, multimedia) and their default capacities.
- `machine.py`: a state machine as data (states with tags, named transitions), pure.
- `contact_states.py`: the state machine of a contact per family.
- `agent_states.py`: the state machine of an agent's presence per family.
- `presence.py`: pure presence decisions ("can this agent take one more of this kind?").
- `models.py`: the tables (`calls` holds every contact and its contact record [接触记录]).

Adding a state (a call "in IVR", an agent "waiting on verification") is one `State` and its
transitions in one machine; tags carry what actions ask about a state (`live`,
`conversation`, `in_contact`...), so no action lists states by name.
"""
