"""netlify.toml names the build plugin that keeps .cache/site-builder/ between Netlify builds,
and the plugin saves only from production builds, which alone have the signing secret."""

from __future__ import annotations

import json
import shutil
import subprocess
import tomllib

import pytest

from conftest import ROOT
from site_builder.diskcache import KEY_VARIABLE


def test_netlify_toml_names_the_cache_plugin_and_the_plugin_is_there():
    config = tomllib.loads((ROOT / "netlify.toml").read_text(encoding="utf-8"))
    [plugin] = [p for p in config.get("plugins", []) if "site-builder-cache" in p["package"]]
    folder = ROOT / plugin["package"].lstrip("/")
    assert (folder / "manifest.yml").read_text().startswith("name: site-builder-cache")
    assert (folder / "index.js").is_file()


# Runs the plugin's two events with a stand-in for Netlify's utils.cache, printing the calls made.
DRIVER = """
const plugin = require(process.argv[1]);
const calls = [];
const cache = {restore: async (p) => { calls.push(["restore", p]); return true; },
               save: async (p) => { calls.push(["save", p]); return true; }};
(async () => {
  await plugin.onPreBuild({utils: {cache}});
  await plugin.onPostBuild({utils: {cache}});
  process.stdout.write(JSON.stringify(calls));
})();
"""


@pytest.mark.parametrize("context, secret, saved", [("production", "ab" * 32, True), ("deploy-preview", "", False),
                                                     ("branch-deploy", "", False), ("production", "", False)])
def test_every_build_restores_the_cache_and_only_production_with_the_secret_saves_it(context, secret, saved):
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is needed (it installs the browser test tools); install Node.js")
    env = {"PATH": "/usr/bin:/bin", "CONTEXT": context, **({KEY_VARIABLE: secret} if secret else {})}
    result = subprocess.run([node, "-e", DRIVER, str(ROOT / "netlify/plugins/site-builder-cache/index.js")],
                            capture_output=True, text=True, env=env, timeout=30)
    assert result.returncode == 0, result.stderr
    calls = json.loads(result.stdout.strip().splitlines()[-1])
    expected = [["restore", ".cache/site-builder"]] + ([["save", ".cache/site-builder"]] if saved else [])
    assert calls == expected
