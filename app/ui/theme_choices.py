"""The theme choices, as saved in the settings ("theme") and as the user reads them (no Qt
here: the window's frame reads them before its first paint)."""

THEME_LABELS = {"system": "System", "light": "Light", "dark": "Dark"}
