"""Templates, static files and UI strings (Simplified Chinese and English)."""

from pathlib import Path

from fastapi.templating import Jinja2Templates

WEB_DIR = Path(__file__).parent
STATIC_DIR = WEB_DIR / "static"
TEMPLATES_DIR = WEB_DIR / "templates"
SDK_DIR = WEB_DIR / "sdk"

templates = Jinja2Templates(directory=TEMPLATES_DIR)
