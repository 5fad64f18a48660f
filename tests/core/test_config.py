"""Config loading (defaults, invoke.toml, INVOKE_* variables) and building services from it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from invoke_core import (
    InvocationServices,
    InvokeConfig,
    Invoker,
    hookimpl,
    load_config,
    register_plugin,
    unregister_plugin,
)
from invoke_core.errors import ConfigError, PluginLoadError, ServiceNotFoundError
from invoke_core.services import SERVICE_KINDS
from invoke_core.services.events import MemoryEventService
from invoke_core.services.image_storage import MemoryImageStorage
from invoke_core.services.invocation_cache import MemoryInvocationCache
from invoke_core.services.object_storage import MemoryObjectStorage
from invoke_core.services.session_queue import MemorySessionQueue
from invoke_core.services.session_storage import MemorySessionStorage

# ---- load_config -----------------------------------------------------------------------


def write_toml(root: Path, text: str) -> Path:
    path = root / "invoke.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults(tmp_path):
    config = load_config(root=tmp_path, environ={})
    assert config.root == tmp_path
    assert config.config_file == tmp_path / "invoke.toml"
    assert config.node_cache_size == 512
    assert config.log_level == "info"
    for kind in SERVICE_KINDS:
        assert config.service_choice(kind) is None
    assert config.model_extra == {}
    assert config.extra("anything") is None
    assert config.extra("anything", "fallback") == "fallback"


def test_root_defaults_to_invokeai_in_home(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "invokeai").mkdir()
    write_toml(tmp_path / "invokeai", "node_cache_size = 3\n")
    config = load_config(environ={})
    assert config.root == tmp_path / "invokeai"
    assert config.node_cache_size == 3


def test_values_from_the_toml_file(tmp_path):
    write_toml(
        tmp_path,
        """
node_cache_size = 64
log_level = "debug"
session_storage = "sqlite"
events = "redis"
""",
    )
    config = load_config(root=tmp_path, environ={})
    assert config.node_cache_size == 64
    assert config.log_level == "debug"
    assert config.session_storage == "sqlite" and config.service_choice("session_storage") == "sqlite"
    assert config.service_choice("events") == "redis"
    assert config.service_choice("image_storage") is None


def test_root_given_as_a_string(tmp_path):
    write_toml(tmp_path, "node_cache_size = 5\n")
    config = load_config(root=str(tmp_path), environ={})
    assert config.root == tmp_path and config.node_cache_size == 5


def test_environment_overrides_the_file(tmp_path):
    write_toml(tmp_path, 'node_cache_size = 64\nlog_level = "debug"\nimage_storage = "disk"\n')
    config = load_config(
        root=tmp_path,
        environ={
            "INVOKE_NODE_CACHE_SIZE": "9",
            "INVOKE_IMAGE_STORAGE": "s3",
            "OTHER_NODE_CACHE_SIZE": "1",
            "PATH": "/bin",
        },
    )
    assert config.node_cache_size == 9  # converted from the variable's text
    assert config.image_storage == "s3"
    assert config.log_level == "debug"  # not overridden: the file's value stays
    assert config.extra("path") is None and config.extra("other_node_cache_size") is None


def test_keyword_overrides_beat_the_environment(tmp_path):
    write_toml(tmp_path, "node_cache_size = 64\n")
    config = load_config(root=tmp_path, environ={"INVOKE_NODE_CACHE_SIZE": "9"}, node_cache_size=2)
    assert config.node_cache_size == 2


def test_process_environment_is_used_when_none_is_given(tmp_path, monkeypatch):
    monkeypatch.setenv("INVOKE_LOG_LEVEL", "warning")
    config = load_config(root=tmp_path)
    assert config.log_level == "warning"


def test_invoke_root_picks_the_root(tmp_path):
    chosen = tmp_path / "chosen"
    chosen.mkdir()
    write_toml(chosen, "node_cache_size = 11\n")
    config = load_config(environ={"INVOKE_ROOT": str(chosen)})
    assert config.root == chosen
    assert config.node_cache_size == 11
    assert config.extra("root") is None  # INVOKE_ROOT is not a setting of its own


def test_root_argument_beats_invoke_root(tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    write_toml(other, "node_cache_size = 11\n")
    config = load_config(root=tmp_path, environ={"INVOKE_ROOT": str(other)})
    assert config.root == tmp_path
    assert config.node_cache_size == 512


def test_plugin_loading_variables_are_not_settings(tmp_path):
    config = load_config(
        root=tmp_path,
        environ={"INVOKE_PLUGINS": "a,b", "INVOKE_DISABLE_PLUGIN_AUTOLOAD": "1", "INVOKE_ROOT": "/elsewhere"},
    )
    assert config.model_extra == {}
    assert config.root == tmp_path


def test_unknown_keys_are_kept_for_plugins(tmp_path):
    write_toml(
        tmp_path,
        """
postgres_url = "postgresql://db/invoke"
retries = 3

[s3]
bucket = "images"
""",
    )
    config = load_config(root=tmp_path, environ={"INVOKE_REDIS_URL": "redis://cache", "INVOKE_RETRIES": "5"})
    assert config.extra("postgres_url") == "postgresql://db/invoke"
    assert config.extra("s3") == {"bucket": "images"}
    assert config.extra("redis_url") == "redis://cache"  # names are lower-cased, prefix dropped
    assert config.extra("retries") == "5"  # the variable overrides the file; unknown keys stay as given
    assert config.extra("missing", 0) == 0


@pytest.mark.parametrize(
    "toml_text, environ",
    [
        ('node_cache_size = "lots"\n', {}),
        ("node_cache_size = -1\n", {}),
        ("", {"INVOKE_NODE_CACHE_SIZE": "lots"}),
        ("", {"INVOKE_NODE_CACHE_SIZE": "-1"}),
        ("node_cache_size = 4\n", {"INVOKE_NODE_CACHE_SIZE": "1.5"}),
    ],
)
def test_bad_value_raises_config_error_naming_the_key(tmp_path, toml_text, environ):
    write_toml(tmp_path, toml_text)
    with pytest.raises(ConfigError, match="node_cache_size") as caught:
        load_config(root=tmp_path, environ=environ)
    assert isinstance(caught.value, ValueError)


def test_bad_value_for_a_service_name(tmp_path):
    write_toml(tmp_path, "session_storage = 5\n")
    with pytest.raises(ConfigError, match="session_storage"):
        load_config(root=tmp_path, environ={})


def test_malformed_toml_raises_config_error_naming_the_file(tmp_path):
    path = write_toml(tmp_path, "node_cache_size = = 3\n[unclosed\n")
    with pytest.raises(ConfigError) as caught:
        load_config(root=tmp_path, environ={})
    assert str(path) in str(caught.value)


def test_a_folder_named_like_the_config_file_is_ignored(tmp_path):
    (tmp_path / "invoke.toml").mkdir()
    assert load_config(root=tmp_path, environ={}).node_cache_size == 512


def test_assignment_is_validated(tmp_path):
    config = load_config(root=tmp_path, environ={})
    with pytest.raises(ValueError):
        config.node_cache_size = -5
    config.node_cache_size = 3
    assert config.node_cache_size == 3


# ---- InvocationServices.from_config ----------------------------------------------------

MEMORY_CLASSES = {
    "sessions": MemorySessionStorage,
    "queue": MemorySessionQueue,
    "images": MemoryImageStorage,
    "objects": MemoryObjectStorage,
    "cache": MemoryInvocationCache,
    "events": MemoryEventService,
}


class RecordingImageStorage(MemoryImageStorage):
    """A memory image storage that remembers the config it was built with."""

    def __init__(self, config: Any = None):
        super().__init__(config)
        self.config = config


def make_recording_image_storage(config: Any) -> RecordingImageStorage:
    return RecordingImageStorage(config)


class RecordingCache(MemoryInvocationCache):
    pass


def make_recording_cache(config: Any) -> RecordingCache:
    return RecordingCache(config)


FACTORY_MODULE = __name__  # "tests.core.test_config"


class ServicesTestPlugin:
    """A plugin object whose `@hookimpl` methods offer extra service implementations."""

    def __init__(self, defaults: dict[str, str] | None = None, services: dict[str, dict[str, str]] | None = None):
        self.defaults = defaults or {}
        self.services = services or {
            "image_storage": {"recording": f"{FACTORY_MODULE}:make_recording_image_storage"},
            "invocation_cache": {"recording": f"{FACTORY_MODULE}:make_recording_cache"},
        }

    @hookimpl
    def register_services(self) -> dict[str, dict[str, str]]:
        return self.services

    @hookimpl
    def default_services(self) -> dict[str, str]:
        return self.defaults


@pytest.fixture
def plugins():
    """Register plugin objects by hand; every one is unregistered afterwards."""
    names: list[str] = []

    def register(plugin: object, name: str) -> str:
        registered = register_plugin(plugin, name=name)
        names.append(registered)
        return registered

    yield register
    for name in reversed(names):
        unregister_plugin(name)


def assert_all_memory(services: InvocationServices, **except_: type) -> None:
    for attribute, cls in MEMORY_CLASSES.items():
        expected = except_.get(attribute, cls)
        assert type(getattr(services, attribute)) is expected, attribute


def test_from_config_defaults_to_memory_services(tmp_path):
    config = InvokeConfig(root=tmp_path)
    services = InvocationServices.from_config(config)
    assert services.config is config
    assert_all_memory(services)


def test_from_config_passes_the_config_to_factories(tmp_path):
    services = InvocationServices.from_config(InvokeConfig(root=tmp_path, node_cache_size=3))
    assert services.cache.max_size == 3


def test_from_config_without_a_config_loads_one(tmp_path, monkeypatch):
    monkeypatch.setenv("INVOKE_ROOT", str(tmp_path))
    monkeypatch.setenv("INVOKE_NODE_CACHE_SIZE", "17")
    services = InvocationServices.from_config()
    assert services.config.root == tmp_path
    assert services.cache.max_size == 17
    assert_all_memory(services)


def test_explicit_memory_choice(tmp_path):
    config = InvokeConfig(root=tmp_path, **dict.fromkeys(SERVICE_KINDS, "memory"))
    assert_all_memory(InvocationServices.from_config(config))


def test_unregistered_implementation_raises_service_not_found(tmp_path):
    config = InvokeConfig(root=tmp_path, image_storage="s3")
    with pytest.raises(ServiceNotFoundError) as caught:
        InvocationServices.from_config(config)
    message = str(caught.value)
    assert "image_storage" in message and "'s3'" in message
    assert "installed: memory" in message
    assert isinstance(caught.value, LookupError)


def test_unregistered_implementation_named_in_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("INVOKE_ROOT", str(tmp_path))
    monkeypatch.setenv("INVOKE_EVENTS", "kafka")
    with pytest.raises(ServiceNotFoundError, match="kafka"):
        InvocationServices.from_config()


def test_plugin_service_is_used_when_the_config_names_it(tmp_path, plugins):
    plugins(ServicesTestPlugin(), name="config_test_services")
    config = InvokeConfig(root=tmp_path, image_storage="recording")
    services = InvocationServices.from_config(config)
    assert type(services.images) is RecordingImageStorage
    assert services.images.config is config
    assert_all_memory(services, images=RecordingImageStorage)  # not named: still memory

    # the other implementation is listed as installed when a name is wrong
    with pytest.raises(ServiceNotFoundError, match="installed: memory, recording"):
        InvocationServices.from_config(InvokeConfig(root=tmp_path, image_storage="nope"))


def test_plugin_service_named_in_invoke_toml(tmp_path, plugins):
    plugins(ServicesTestPlugin(), name="config_test_services")
    write_toml(tmp_path, 'image_storage = "recording"\nnode_cache_size = 4\n')
    with Invoker(config=load_config(root=tmp_path, environ={})) as invoker:
        assert type(invoker.services.images) is RecordingImageStorage
        assert invoker.services.images.config.node_cache_size == 4


def test_plugin_invocation_cache_named_in_the_config_is_used(tmp_path, plugins):
    plugins(ServicesTestPlugin(), name="config_test_services")
    services = InvocationServices.from_config(InvokeConfig(root=tmp_path, invocation_cache="recording"))
    assert type(services.cache) is RecordingCache


def test_cache_given_to_invocation_services_is_kept(tmp_path):
    cache = MemoryInvocationCache(max_size=2)
    services = InvocationServices(InvokeConfig(root=tmp_path), cache=cache)
    assert services.cache is cache


def test_plugin_default_services_are_used_when_the_config_is_silent(tmp_path, plugins):
    plugins(ServicesTestPlugin(defaults={"image_storage": "recording"}), name="config_test_default")
    services = InvocationServices.from_config(InvokeConfig(root=tmp_path))
    assert_all_memory(services, images=RecordingImageStorage)  # the built-in default still covers the rest

    # the config's choice beats a plugin's default
    chosen = InvocationServices.from_config(InvokeConfig(root=tmp_path, image_storage="memory"))
    assert type(chosen.images) is MemoryImageStorage


def test_unregistering_the_plugin_removes_its_services(tmp_path, plugins):
    name = plugins(ServicesTestPlugin(defaults={"image_storage": "recording"}), name="config_test_gone")
    assert type(InvocationServices.from_config(InvokeConfig(root=tmp_path)).images) is RecordingImageStorage
    unregister_plugin(name)
    try:
        assert_all_memory(InvocationServices.from_config(InvokeConfig(root=tmp_path)))
        with pytest.raises(ServiceNotFoundError, match="installed: memory"):
            InvocationServices.from_config(InvokeConfig(root=tmp_path, image_storage="recording"))
    finally:
        register_plugin(ServicesTestPlugin(), name=name)  # so the fixture's teardown has it to remove


def test_plugin_factory_that_cannot_be_imported(tmp_path, plugins):
    services = {"object_storage": {"broken": f"{FACTORY_MODULE}:no_such_factory"}}
    plugins(ServicesTestPlugin(services=services), name="config_test_broken")
    with pytest.raises(PluginLoadError, match="no_such_factory"):
        InvocationServices.from_config(InvokeConfig(root=tmp_path, object_storage="broken"))
    # not chosen, a broken registration does no harm
    assert_all_memory(InvocationServices.from_config(InvokeConfig(root=tmp_path)))


def test_a_plugin_defines_a_service_kind_of_its_own(tmp_path, plugins):
    services = {"telepathy": {"recording": f"{FACTORY_MODULE}:make_recording_cache"}}
    plugins(ServicesTestPlugin(services=services), name="config_test_new_kind")
    built = InvocationServices.from_config(InvokeConfig(root=tmp_path))
    assert_all_memory(built)  # the core's kinds are untouched
    telepathy = built.get("telepathy")  # the only implementation installed: no choice needed
    assert type(telepathy) is RecordingCache
    assert built.get("telepathy") is telepathy  # built once, then shared


def test_a_plugin_kind_follows_the_config_and_defaults(tmp_path, plugins):
    services = {
        "telepathy": {
            "recording": f"{FACTORY_MODULE}:make_recording_cache",
            "images": f"{FACTORY_MODULE}:make_recording_image_storage",
        }
    }
    plugins(ServicesTestPlugin(services=services, defaults={"telepathy": "images"}), name="config_test_kind_choice")
    by_default = InvocationServices.from_config(InvokeConfig(root=tmp_path))
    assert type(by_default.get("telepathy")) is RecordingImageStorage
    chosen = InvocationServices.from_config(load_config(tmp_path, environ={"INVOKE_TELEPATHY": "recording"}))
    assert type(chosen.get("telepathy")) is RecordingCache
    wrong = InvocationServices.from_config(InvokeConfig(root=tmp_path, telepathy="nope"))
    with pytest.raises(ServiceNotFoundError, match="telepathy implementation 'nope'.*images, recording"):
        wrong.get("telepathy")


def test_an_unprovided_service_kind_is_a_clear_error(tmp_path):
    services = InvocationServices(InvokeConfig(root=tmp_path))
    with pytest.raises(ServiceNotFoundError, match="no installed plugin provides a 'telepathy' service"):
        services.get("telepathy")
    with pytest.raises(ServiceNotFoundError, match="core service"):
        services.get("events")
    given = object()
    assert InvocationServices(InvokeConfig(root=tmp_path), extra={"telepathy": given}).get("telepathy") is given


def test_a_badly_named_service_kind_is_refused(tmp_path, plugins):
    plugins(ServicesTestPlugin(services={"not a name": {"x": "m:f"}}), name="config_test_bad_kind")
    with pytest.raises(PluginLoadError, match="'not a name'"):
        InvocationServices.from_config(InvokeConfig(root=tmp_path))
