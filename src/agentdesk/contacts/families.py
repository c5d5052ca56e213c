"""Media families: contacts and presence are counted per family, not per media.

Guide: access codes and skill queues are audio/video [音视频] or multimedia [多媒体]; an agent
holds one call at a time, and may hold several chats beside it.
"""

AUDIO_VIDEO = "audio_video"
MULTIMEDIA = "multimedia"
FAMILIES = (AUDIO_VIDEO, MULTIMEDIA)

# How many contacts of a family an agent holds at once unless configured otherwise.
DEFAULT_CAPACITY = {AUDIO_VIDEO: 1, MULTIMEDIA: 5}

AUDIO_VIDEO_MEDIA = frozenset({"audio", "video"})


def family_of_media(media: str) -> str:
    """audio and video calls are audio/video; text, images and files are multimedia."""
    return AUDIO_VIDEO if media in AUDIO_VIDEO_MEDIA else MULTIMEDIA


def family_of_queue_type(queue_type: str) -> str:
    """A skill queue's type (voice, video, voice_click, video_click, multimedia)."""
    return MULTIMEDIA if queue_type == MULTIMEDIA else AUDIO_VIDEO
