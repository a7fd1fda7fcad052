"""Icons, the desktop entry and style sheets, read through importlib.resources."""
