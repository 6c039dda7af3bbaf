"""The browser front-end: Jinja templates (`templates/`) and the files served under /static (`static/`: CSS,
JavaScript modules, icons), in one folder a front-end person can open.

Installed as the package `dialer_web` (pyproject.toml maps it to this folder, for wheels and editable
installs alike), so `dialer/web/pages.py` finds these files wherever the dialer runs from; the Python
routes that render them live in `dialer/web/`."""
