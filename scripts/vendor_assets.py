"""Copy the front-end assets the pages need into welfarelab/static/vendor/ (generated, not committed).

    .venv/bin/python scripts/vendor_assets.py

Bootstrap Italia comes from npm (`npm ci` first; the version is pinned in package.json), Plotly's
JavaScript from the plotly wheel. Nothing is fetched from a CDN at run time. Bootstrap Italia loads its
fonts with JavaScript (`bootstrap.loadFonts`), which a strict CSP blocks; we write a static fonts.css
for the woff2 files instead.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import plotly

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules" / "bootstrap-italia"
VENDOR = ROOT / "welfarelab" / "static" / "vendor"

FONT_FILE = re.compile(r"(?P<family>[a-z-]+)-v\d+-latin-ext_latin-(?P<variant>[a-z0-9]+)\.woff2$")
FAMILIES = {"titillium-web": "Titillium Web", "roboto-mono": "Roboto Mono", "lora": "Lora"}


def font_face(path: Path, relative: str) -> str:
    match = FONT_FILE.match(path.name)
    if match is None:
        raise ValueError(f"Unexpected font file name: {path.name}")
    variant = match["variant"]
    weight = "400" if variant in {"regular", "italic"} else variant.removesuffix("italic")
    style = "italic" if variant.endswith("italic") else "normal"
    return (
        "@font-face {\n"
        f"  font-family: '{FAMILIES[match['family']]}';\n"
        f"  font-style: {style};\n  font-weight: {weight};\n  font-display: swap;\n"
        f"  src: url('{relative}') format('woff2');\n}}\n"
    )


def main() -> None:
    if not NODE.exists():
        raise SystemExit("node_modules/bootstrap-italia is missing: run `npm ci --ignore-scripts` first.")
    version = json.loads((NODE / "package.json").read_text())["version"]
    target = VENDOR / "bootstrap-italia"
    if target.exists():
        shutil.rmtree(target)
    (target / "css").mkdir(parents=True)
    (target / "js").mkdir()
    (target / "svg").mkdir()
    shutil.copy2(NODE / "dist" / "css" / "bootstrap-italia.min.css", target / "css")
    # The stylesheet names its source map; the manifest storage refuses a reference to a missing file.
    shutil.copy2(NODE / "dist" / "css" / "bootstrap-italia.min.css.map", target / "css")
    shutil.copy2(NODE / "dist" / "js" / "bootstrap-italia.bundle.min.js", target / "js")
    shutil.copy2(NODE / "dist" / "svg" / "sprites.svg", target / "svg")
    faces = []
    for font in sorted((NODE / "dist" / "fonts").rglob("*.woff2")):
        destination = target / "fonts" / font.parent.name / font.name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(font, destination)
        faces.append(font_face(font, f"../fonts/{font.parent.name}/{font.name}"))
    (target / "css" / "fonts.css").write_text("".join(faces))
    if (NODE / "LICENSE").exists():
        shutil.copy2(NODE / "LICENSE", target / "LICENSE")

    plotly_target = VENDOR / "plotly"
    plotly_target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(Path(plotly.__file__).parent / "package_data" / "plotly.min.js", plotly_target)

    manifest = {"bootstrap-italia": version, "plotly.py": plotly.__version__}
    (VENDOR / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(
        f"vendored Bootstrap Italia {version} ({len(faces)} fonts) and plotly.js from plotly {plotly.__version__}"
    )


if __name__ == "__main__":
    main()
