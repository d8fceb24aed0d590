"""The Node tools the tests and `./handbook lighthouse` use: Ace by DAISY and Lighthouse.

They are pinned in package.json and package-lock.json and installed into node_modules/ with
``npm ci --ignore-scripts``: no install script runs, so nothing downloads a browser; both tools
drive Debian's chromium. Node.js 18 or newer is needed (Debian 12's nodejs; the tools are
tested with Node 20, which Ace declares). As root on Debian, a missing Node.js and npm are
installed with apt-get; otherwise this stops with the command to run. node_modules/ is reinstalled only when package-lock.json changed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NODE_MAJOR = 18


def node_major() -> int:
    if shutil.which("node") is None:
        return 0
    out = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout
    match = re.match(r"v(\d+)", out.strip())
    return int(match.group(1)) if match else 0


def ensure() -> None:
    if (node_major() < NODE_MAJOR or shutil.which("npm") is None) and shutil.which("apt-get") \
            and hasattr(os, "geteuid") and os.geteuid() == 0 and os.environ.get("HANDBOOK_NO_APT") != "1":
        print("Installing Node.js and npm (for Ace by DAISY and Lighthouse) ...", flush=True)
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        missing = ["nodejs"] + (["npm"] if shutil.which("npm") is None else [])
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing],
                       check=True, env=env)
    if node_major() < NODE_MAJOR or shutil.which("npm") is None:
        sys.exit(f"error: Node.js {NODE_MAJOR} or newer and npm are needed for Ace by DAISY "
                 f"(the ePub checker). Install them (sudo apt-get install nodejs npm), "
                 f"then run ./handbook test again.")
    lock = ROOT / "package-lock.json"
    stamp = ROOT / "node_modules" / ".installed-lock"
    if stamp.exists() and stamp.read_bytes() == lock.read_bytes():
        return
    print("Installing the pinned Node tools: npm ci --ignore-scripts", flush=True)
    env = dict(os.environ, PUPPETEER_SKIP_DOWNLOAD="1")
    subprocess.run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=ROOT,
                   check=True, env=env)
    shutil.copyfile(lock, stamp)


if __name__ == "__main__":
    ensure()
    print("Node tools: installed.")
