"""Yilian (一链): one form, one chain of departments, one company started.

The package is a Django project; each bounded context is one app below this folder
(see the layout in DESIGN.md §6).
"""

__version__ = "0.1.0"
