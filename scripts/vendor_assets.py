"""Copy the front-end files the portal serves from ``node_modules/`` into ``static/vendor/``.

The portal runs on government intranets, so nothing is loaded from a CDN: ``npm ci`` fetches the
pinned packages of ``package.json`` and this script copies just the distribution files the
templates reference (and the source maps and fonts those files point at, which the manifest
static storage needs to resolve). ``static/vendor/`` is git-ignored and rebuilt by the setup.

Usage: ``npm ci && python scripts/vendor_assets.py``
"""

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
VENDOR = ROOT / "static" / "vendor"

# package -> files to copy, relative to the package directory; kept in the package's own layout.
FILES = {
    "bootstrap": [
        "dist/css/bootstrap.min.css",
        "dist/css/bootstrap.min.css.map",
        "dist/js/bootstrap.bundle.min.js",
        "dist/js/bootstrap.bundle.min.js.map",
        "LICENSE",
    ],
    "bootstrap-icons": [
        "font/bootstrap-icons.min.css",
        "font/fonts/bootstrap-icons.woff",
        "font/fonts/bootstrap-icons.woff2",
        "LICENSE",
    ],
    "echarts": [
        "dist/echarts.min.js",
        "LICENSE",
    ],
}


def vendor_assets(node_modules: Path = NODE_MODULES, target: Path = VENDOR) -> list[Path]:
    """Copy every file of ``FILES``; refuse (before copying anything) if one is missing."""
    missing = [
        f"{package}/{name}"
        for package, names in FILES.items()
        for name in names
        if not (node_modules / package / name).is_file()
    ]
    if missing:
        raise FileNotFoundError("Missing in node_modules (run `npm ci` first): " + ", ".join(missing))
    if target.exists():
        shutil.rmtree(target)
    copied = []
    for package, names in FILES.items():
        for name in names:
            destination = target / package / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(node_modules / package / name, destination)
            copied.append(destination)
    return copied


def main() -> int:
    try:
        copied = vendor_assets()
    except FileNotFoundError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"Copied {len(copied)} files into {VENDOR.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
