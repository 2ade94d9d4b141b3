"""The console's translations: urban_console_<lang>.ts (edited, in the repository) and the .qm Qt loads.

Refresh them with `python -m console.resources.i18n.update` after changing UI strings.
"""
