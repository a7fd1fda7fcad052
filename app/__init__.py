"""grok-vision: chat with a vision model about images."""

__version__ = "0.1.0"
APP_NAME = "grok-vision"
