"""The settings file: real files in a temporary directory, no mocks."""

from __future__ import annotations

import json
import os
import stat
import sys
from dataclasses import fields
from pathlib import Path

import pytest

from app.core.catalog import DEFAULT_MODEL, FALLBACK_CONTEXT_WINDOW, ModelInfo, Prices
from app.core.endpoints import base_url_problem, looks_like_key
from app.core.limits import LIMIT_PROFILES, XAI_BASE_URL, XAI_LIMITS
from app.store.settings import (
    CONFIG_DIR_ENV,
    FILE_NAME,
    Settings,
    SettingsError,
    SettingsStore,
    _from_json,
    _to_json,
    validate,
)

KEY = "xai-" + "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z" * 2 + "b14o"
FIELD_NAMES = {f.name for f in fields(Settings)}


def custom_settings() -> Settings:
    settings = Settings(
        base_url="http://127.0.0.1:8765/v1",
        model="grok-4-fast-reasoning",
        context_overrides={"my-local-model": 65_536},
        temperature=0.7,
        max_tokens=4096,
        limits_profile="xai-10mib",
        enter_sends=False,
        system_prompt="Answer briefly.\nIn «French».",
        window_geometry="AdnQywADAAAAAAAA",
    )
    settings.set_known_models(
        [
            ModelInfo(
                "grok-4",
                True,
                256_000,
                Prices(20_000, 20_000, 100_000, 5_000),
                ("grok-4-latest",),
                "xai",
            ),
            ModelInfo("grok-3-mini", False),
        ]
    )
    return settings


def write(store: SettingsStore, text: str) -> None:
    store.path.parent.mkdir(parents=True, exist_ok=True)
    store.path.write_text(text, encoding="utf-8")


def test_round_trip(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path / "config")
    original = custom_settings()
    store.save(original)
    loaded = SettingsStore(tmp_path / "config").load()
    assert loaded == original
    assert loaded.known_model_infos() == original.known_model_infos()
    assert loaded.known_model_infos()[0].prices == Prices(20_000, 20_000, 100_000, 5_000)
    assert store.notice is None


def test_missing_file_gives_defaults_and_writes_nothing(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path / "nowhere")
    assert store.load() == Settings()
    assert store.notice is None
    assert not (tmp_path / "nowhere").exists()


def test_defaults() -> None:
    settings = Settings()
    assert settings.base_url == XAI_BASE_URL
    assert settings.model == DEFAULT_MODEL
    assert settings.temperature is None
    assert settings.max_tokens == 2048
    assert settings.enter_sends is True
    assert settings.limits() is XAI_LIMITS
    # Mutable defaults are not shared between instances.
    Settings().context_overrides["x"] = 4096
    assert Settings().context_overrides == {}


@pytest.mark.parametrize(
    "text",
    [
        "{not json",
        "",
        "[1, 2, 3]",
        '"just a string"',
        '{"model": "grok-4",',
    ],
)
def test_corrupt_file_gives_defaults_and_is_kept_aside(tmp_path: Path, text: str) -> None:
    store = SettingsStore(tmp_path)
    write(store, text)
    assert store.load() == Settings()
    bad = tmp_path / (FILE_NAME + ".bad")
    assert bad.read_text(encoding="utf-8") == text
    assert not store.path.exists()
    assert store.notice is not None
    assert str(bad) in store.notice
    # The next save works and the next load reads it without complaint.
    store.save(custom_settings())
    assert store.load() == custom_settings()
    assert store.notice is None


def test_undecodable_file_is_kept_aside(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path)
    store.path.write_bytes(b'{"model": "\xff\xfe"}')
    assert store.load() == Settings()
    assert (tmp_path / (FILE_NAME + ".bad")).read_bytes() == b'{"model": "\xff\xfe"}'


def test_wrong_types_fall_back_per_field(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path)
    write(
        store,
        json.dumps(
            {
                "base_url": 42,
                "model": "grok-3",  # fine
                "context_overrides": ["a"],
                "temperature": "hot",
                "max_tokens": True,  # a bool is not a count
                "limits_profile": None,
                "enter_sends": "yes",
                "system_prompt": "Be kind.",  # fine
                "window_geometry": 7,
                "known_models": {"id": "x"},
            }
        ),
    )
    loaded = store.load()
    assert loaded == Settings(model="grok-3", system_prompt="Be kind.")
    assert store.notice is not None
    for name in (
        "base_url",
        "context_overrides",
        "temperature",
        "max_tokens",
        "limits_profile",
        "enter_sends",
        "window_geometry",
        "known_models",
    ):
        assert name in store.notice
    assert not (tmp_path / (FILE_NAME + ".bad")).exists()  # a readable file stays in place


def test_invalid_values_fall_back_and_bad_entries_are_dropped(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path)
    write(
        store,
        json.dumps(
            {
                "base_url": "ftp://example.com",
                "model": "has spaces",
                "context_overrides": {
                    "ok-model": 8192,
                    "too-small": 512,
                    "float": 4096.0,
                    "": 9000,
                },
                "temperature": 2.5,
                "max_tokens": 0,
                "limits_profile": "no-such-profile",
                "known_models": [{"id": "grok-4", "takes_images": True}, {"no": "id"}, "junk"],
            }
        ),
    )
    loaded = store.load()
    assert loaded.base_url == XAI_BASE_URL
    assert loaded.model == DEFAULT_MODEL
    assert loaded.context_overrides == {"ok-model": 8192}
    assert loaded.temperature is None
    assert loaded.max_tokens == 2048
    assert loaded.limits_profile == "xai"
    assert [m.id for m in loaded.known_model_infos()] == ["grok-4"]


def test_unknown_keys_are_ignored(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path)
    write(store, json.dumps({"version": 99, "font": "large", "max_tokens": 100}))
    assert store.load() == Settings(max_tokens=100)
    assert store.notice is None


def test_the_theme_survives_a_restart(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path)
    assert Settings().theme == "system"
    for theme in ("light", "dark", "system"):
        store.save(Settings(theme=theme))
        assert json.loads(store.path.read_text(encoding="utf-8"))["theme"] == theme
        assert SettingsStore(tmp_path).load().theme == theme


@pytest.mark.parametrize("value", ["Dark", "solarized", 1, None, ["dark"]])
def test_an_unknown_theme_falls_back_to_system(tmp_path: Path, value: object) -> None:
    store = SettingsStore(tmp_path)
    write(store, json.dumps({"theme": value, "max_tokens": 100}))
    loaded = store.load()
    assert (loaded.theme, loaded.max_tokens) == ("system", 100)
    assert store.notice is not None
    assert "theme" in store.notice


def test_an_unknown_theme_is_not_saved(tmp_path: Path) -> None:
    assert "theme" in validate(Settings(theme="neon"))
    with pytest.raises(SettingsError, match="theme"):
        SettingsStore(tmp_path).save(Settings(theme="neon"))


def test_null_temperature_means_server_default_without_notice(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path)
    write(store, json.dumps({"temperature": None}))
    assert store.load().temperature is None
    assert store.notice is None
    write(store, json.dumps({"temperature": 1}))
    assert store.load().temperature == 1.0


def test_save_is_atomic_and_private(tmp_path: Path) -> None:
    directory = tmp_path / "deep" / "config"
    store = SettingsStore(directory)
    store.save(Settings())
    store.save(custom_settings())
    assert sorted(p.name for p in directory.iterdir()) == [FILE_NAME]  # no temporary file left
    assert json.loads(store.path.read_text(encoding="utf-8"))["max_tokens"] == 4096
    if sys.platform != "win32":
        assert stat.S_IMODE(store.path.stat().st_mode) == 0o600


def test_save_replaces_a_world_readable_file_with_a_private_one(tmp_path: Path) -> None:
    if sys.platform == "win32":
        pytest.skip("POSIX permissions")
    store = SettingsStore(tmp_path)
    write(store, "{}")
    os.chmod(store.path, 0o644)
    store.save(Settings())
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600


def test_failed_save_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path)
    store.save(Settings(max_tokens=111))
    before = store.path.read_bytes()
    broken = Settings()
    broken.known_models = [{"id": "x", "not json": {1, 2}}]
    with pytest.raises(SettingsError):
        store.save(broken)
    assert store.path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [FILE_NAME]


def test_save_into_an_unwritable_place_says_where(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    store = SettingsStore(blocker / "config")
    with pytest.raises(SettingsError, match=str(blocker / "config")):
        store.save(Settings())


def test_file_has_only_settings_fields_and_never_a_key(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path)
    settings = custom_settings()
    # There is no key field, and none can be attached to an instance.
    assert not any("key" in name for name in FIELD_NAMES)
    with pytest.raises(AttributeError):
        settings.api_key = KEY  # type: ignore[attr-defined]
    store.save(settings)
    data = json.loads(store.path.read_text(encoding="utf-8"))
    assert set(data) == FIELD_NAMES | {"version"}
    text = store.path.read_text(encoding="utf-8")
    assert KEY not in text
    assert not looks_like_key(text)


@pytest.mark.parametrize("field_name", ["system_prompt", "model", "base_url"])
def test_a_key_pasted_into_a_field_is_refused(tmp_path: Path, field_name: str) -> None:
    store = SettingsStore(tmp_path)
    store.save(Settings())
    before = store.path.read_text(encoding="utf-8")
    settings = Settings()
    setattr(settings, field_name, f"https://x/{KEY}" if field_name == "base_url" else KEY)
    with pytest.raises(SettingsError) as caught:
        store.save(settings)
    assert KEY not in str(caught.value)
    assert store.path.read_text(encoding="utf-8") == before


def test_a_key_in_a_hand_edited_file_is_not_loaded(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path)
    write(store, json.dumps({"system_prompt": f"my key is {KEY}"}))
    assert store.load().system_prompt == ""
    assert store.notice is not None
    assert KEY not in store.notice


def test_validation() -> None:
    assert validate(Settings()) == {}
    assert validate(Settings(base_url="http://localhost:8000/v1")) == {}
    problems = validate(
        Settings(
            base_url="api.x.ai/v1",
            model="",
            temperature=2.01,
            max_tokens=1_000_001,
            context_overrides={"m": 1023},
            limits_profile="nope",
        )
    )
    assert set(problems) == {
        "base_url",
        "model",
        "temperature",
        "max_tokens",
        "context_overrides",
        "limits_profile",
    }
    assert validate(Settings(temperature=0.0, max_tokens=1, context_overrides={"m": 1024})) == {}
    assert validate(Settings(temperature=2.0, max_tokens=1_000_000)) == {}
    with pytest.raises(SettingsError, match="temperature"):
        SettingsStore(Path("unused")).save(Settings(temperature=-1))


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://api.x.ai/v1", True),
        ("http://127.0.0.1:8765/v1", True),
        ("HTTPS://API.X.AI", True),
        ("http://[::1]:8000", True),
        ("", False),
        ("api.x.ai/v1", False),
        ("ftp://api.x.ai", False),
        ("https://", False),
        ("https://host:notaport/v1", False),
        ("https://exa mple.com", False),
    ],
)
def test_base_url_rule(url: str, ok: bool) -> None:
    assert (base_url_problem(url) is None) is ok


def test_context_window_and_limits() -> None:
    settings = Settings(model="grok-4")  # retired: answered by grok-4.3
    assert settings.context_window() == (1_000_000, True)
    settings.context_overrides["grok-4"] = 100_000
    assert settings.context_window() == (100_000, True)
    assert Settings(model="grok-4.7").context_window() == (500_000, True)
    assert Settings(model="mystery").context_window() == (FALLBACK_CONTEXT_WINDOW, False)
    learned = Settings(model="mystery", learned_windows={"mystery": 40_000})
    assert learned.context_window() == (40_000, True)
    reread, _ = _from_json(_to_json(learned))
    assert reread.learned_windows == {"mystery": 40_000}
    assert Settings(limits_profile="xai-10mib").limits() is LIMIT_PROFILES["xai-10mib"]
    assert Settings(limits_profile="gone").limits() is XAI_LIMITS


def test_directory_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CONFIG_DIR_ENV, str(tmp_path / "env-config"))
    assert SettingsStore().path == tmp_path / "env-config" / FILE_NAME
    # An explicit directory wins over the environment.
    assert SettingsStore(tmp_path / "explicit").path == tmp_path / "explicit" / FILE_NAME


def test_default_directory_is_the_user_config_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    import platformdirs

    monkeypatch.delenv(CONFIG_DIR_ENV, raising=False)
    expected = Path(platformdirs.user_config_dir("grok-vision", appauthor=False))
    assert SettingsStore().path == expected / FILE_NAME


def test_settings_error_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(OSError, match="Max reply tokens"):
        SettingsStore(tmp_path).save(Settings(max_tokens=0))


def test_the_title_setting_survives_a_restart_and_an_unknown_one_is_auto(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path)
    for mode in ("local", "off", "auto"):
        store.save(Settings(titles=mode))
        assert SettingsStore(tmp_path).load().titles == mode
    write(store, json.dumps({"titles": "sometimes", "max_tokens": 100}))
    assert store.load() == Settings(max_tokens=100)
