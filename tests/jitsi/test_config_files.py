"""jitsi-config/: the docker-jitsi-meet files parse, and they switch off recording and third parties."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

CONFIG = Path(__file__).parent.parent.parent / "jitsi-config"
STATEMENT = re.compile(r"^(config|interfaceConfig)((?:\.[A-Za-z0-9_]+)+) = (.+);$")


def read_env() -> dict[str, str]:
    values: dict[str, str] = {}
    for line in (CONFIG / "env.example").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        assert sep, line
        assert re.fullmatch(r"[A-Z][A-Z0-9_]*", key), line
        assert key not in values, f"{key} twice"
        values[key] = value
    return values


def read_js(name: str, root: str) -> dict[str, Any]:
    """Every statement is ``<root>.<path> = <JSON>;``; anything else fails the test."""
    values: dict[str, Any] = {}
    for line in (CONFIG / name).read_text().splitlines():
        if not line.strip() or line.startswith("//"):
            continue
        match = STATEMENT.fullmatch(line)
        assert match, line
        assert match.group(1) == root, line
        values[match.group(2)[1:]] = json.loads(match.group(3))
    return values


def test_env_is_jwt_only_without_recording_or_third_party_stun() -> None:
    env = read_env()
    expected = {
        "ENABLE_AUTH": "1", "AUTH_TYPE": "jwt", "ENABLE_GUESTS": "0", "JWT_ALLOW_EMPTY": "0",
        "ENABLE_RECORDING": "0", "ENABLE_LIVESTREAMING": "0", "ENABLE_TRANSCRIPTIONS": "0",
        "DISABLE_LOCAL_RECORDING": "1", "ENABLE_JAAS_COMPONENTS": "0", "ENABLE_AUTO_OWNER": "0",
        "XMPP_MUC_MODULES": "token_affiliation",
    }  # fmt: skip
    assert {key: env.get(key) for key in expected} == expected
    for key in ("JWT_APP_ID", "JWT_APP_SECRET", "JWT_ACCEPTED_ISSUERS", "JWT_ACCEPTED_AUDIENCES"):
        assert env[key], key
    assert re.fullmatch(r"stable-\d+", env["JITSI_IMAGE_VERSION"]), "pinned, never unstable or latest"
    stun = env["JVB_STUN_SERVERS"] + env["P2P_STUN_SERVERS"]
    assert "jitsi.net" not in stun
    assert "google" not in stun
    assert not any(key.startswith("JIBRI") for key in env)


def test_custom_config_turns_recording_and_third_parties_off() -> None:
    config = read_js("custom-config.js", "config")
    assert config["recordingService"]["enabled"] is False
    assert config["fileRecordingsEnabled"] is False
    assert config["liveStreaming"]["enabled"] is False
    assert config["liveStreamingEnabled"] is False
    assert config["transcription"]["enabled"] is False
    assert config["localRecording"]["disable"] is True
    assert config["disableThirdPartyRequests"] is True
    assert config["gravatar"]["disabled"] is True
    assert config["analytics"]["disabled"] is True
    assert config["giphy"]["enabled"] is False
    assert config["disableInviteFunctions"] is True
    assert config["doNotStoreRoom"] is True
    assert config["prejoinConfig"]["enabled"] is False
    assert all(
        "jitsi.net" not in s["urls"] and "google" not in s["urls"] for s in config["p2p"]["stunServers"]
    )
    forbidden = {"recording", "livestreaming", "transcribing", "closedcaptions", "invite", "feedback"}
    assert not forbidden & set(config["toolbarButtons"])
    assert "desktop" in config["toolbarButtons"]  # screen sharing


def test_custom_interface_config_hides_branding_and_has_no_recording_buttons() -> None:
    interface = read_js("custom-interface_config.js", "interfaceConfig")
    for flag in ("SHOW_JITSI_WATERMARK", "SHOW_BRAND_WATERMARK", "SHOW_POWERED_BY", "MOBILE_APP_PROMO"):
        assert interface[flag] is False, flag
    assert not {"recording", "livestreaming"} & set(interface["TOOLBAR_BUTTONS"])


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node")
def test_the_javascript_files_run_as_docker_jitsi_meet_appends_them() -> None:
    run = "vm.runInNewContext(fs.readFileSync({}, 'utf8'), ctx);"
    files = ("custom-config.js", "custom-interface_config.js")
    script = (
        "const vm = require('vm'); const fs = require('fs');"
        "const ctx = {config: {}, interfaceConfig: {}};"
        + "".join(run.format(json.dumps(str(CONFIG / name))) for name in files)
        + "process.stdout.write(JSON.stringify(ctx));"
    )
    node = shutil.which("node")
    assert node is not None
    result = subprocess.run([node, "-e", script], capture_output=True, text=True, timeout=20, check=True)
    evaluated = json.loads(result.stdout)
    assert evaluated["config"]["recordingService"]["enabled"] is False
    assert evaluated["config"] == _nested(read_js("custom-config.js", "config"))
    assert evaluated["interfaceConfig"] == _nested(read_js("custom-interface_config.js", "interfaceConfig"))


def _nested(flat: dict[str, Any]) -> dict[str, Any]:
    nested: dict[str, Any] = {}
    for path, value in flat.items():
        *parents, last = path.split(".")
        target = nested
        for part in parents:
            target = target.setdefault(part, {})
        target[last] = value
    return nested
