"""Settings: frozen dataclasses built once from flags and the optional config file."""

from __future__ import annotations

import argparse
import os
from dataclasses import Field, dataclass, field, fields, is_dataclass, replace
from pathlib import Path
from typing import Any, ClassVar, get_args, get_type_hints

import yaml

from voice.errors import GoodEnoughError
from voice.limits import LIMITS

PACKAGE_ROOT = Path(__file__).resolve().parent.parent


def default_dialogs() -> Path:
    """The scripts beside the package (a checkout), else ./dialogs."""
    beside = PACKAGE_ROOT / "dialogs"
    return beside if beside.is_dir() else Path("dialogs")


def config_home() -> Path:
    """The user's configuration folder: XDG_CONFIG_HOME, else ~/.config."""
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")


def default_config_path() -> Path:
    """Where the config file lives unless --config says otherwise."""
    return config_home() / "goodenough" / "config.yaml"


def default_cache_dir() -> Path:
    """Where synthesised speech is cached on disk."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "goodenough"


@dataclass(frozen=True)
class Listening:
    """How it listens: the speech model, the microphone, the wake phrase, the timings."""

    model: Path | None = None
    """A Vosk model folder; None means look in the usual places."""
    model_named_by: str = field(default="", metadata={"setting": False})
    """Where `model` came from (--model, GOODENOUGH_MODEL or the config file), for messages;
    not a setting itself."""
    models_dir: Path = PACKAGE_ROOT / "models"
    mic: str | None = None
    wake_phrase: str = "hey friend"
    wake: bool = True
    follow_up_seconds: float = 8.0
    """How long after speaking it listens without the wake phrase."""
    endpoint_silence_seconds: float = 0.8
    """Silence that ends an utterance."""
    log_transcripts: bool = False
    timings: bool = False


@dataclass(frozen=True)
class Speech:
    """How it speaks."""

    voice: str | None = None
    rate_wpm: int = 150
    volume: float = 0.9
    """0.0 to 1.0."""
    speaker: str | None = None


@dataclass(frozen=True)
class Breathing:
    """The breathing exercises' extras; in the config file each name starts `breathing_`."""

    PREFIX: ClassVar[str] = "breathing_"
    tone: bool | None = None
    """Mark each phase change with a soft tone (true), never (false), or as each pattern
    says (left out)."""
    count: bool = True
    """Softly count seconds in phases that ask for it."""


@dataclass(frozen=True)
class Talk:
    """The conversation: its scripts, whose helplines, how long it lasts."""

    dialogs: tuple[Path, ...] = field(default_factory=lambda: (default_dialogs(),))
    country: str = "US"
    """Whose helpline numbers are given: US, CA, GB, IE, AU or NZ."""
    conversation_minutes: float = 10.0
    """After this long with nothing said, the next words start a new conversation."""


@dataclass(frozen=True)
class Settings:
    """Everything the program can be told, in parts, each passed to what uses it. The config
    file and the flags name each setting by its own name (`volume`, `breathing_tone`)."""

    listening: Listening = field(default_factory=Listening)
    speech: Speech = field(default_factory=Speech)
    breathing: Breathing = field(default_factory=Breathing)
    talk: Talk = field(default_factory=Talk)
    cache_dir: Path = field(default_factory=default_cache_dir)
    """Where the speech and understanding caches are kept."""

    def flat(self) -> dict[str, Any]:
        """Every setting by the name the config file uses."""
        return {
            key: getattr(getattr(self, part), name) if part else getattr(self, name)
            for key, (part, name) in _WHERE.items()
        }

    def with_values(self, values: dict[str, Any]) -> Settings:
        """A copy with the named settings (config-file names) changed."""
        parts: dict[str, dict[str, Any]] = {}
        top: dict[str, Any] = {}
        for key, value in values.items():
            part, name = _WHERE[key]
            if part:
                parts.setdefault(part, {})[name] = value
            else:
                top[name] = value
        changed = {part: replace(getattr(self, part), **v) for part, v in parts.items()}
        return replace(self, **top, **changed)


def _where() -> dict[str, tuple[str | None, str]]:
    """Config-file name -> (part, field) for every setting; part None for a top-level one."""
    out: dict[str, tuple[str | None, str]] = {}
    for f in fields(Settings):
        kind = get_type_hints(Settings)[f.name]
        if is_dataclass(kind):
            prefix = getattr(kind, "PREFIX", "")
            out.update({prefix + g.name: (f.name, g.name) for g in fields(kind) if _is_setting(g)})
        else:
            out[f.name] = (None, f.name)
    return out


def _is_setting(f: Field[Any]) -> bool:
    return bool(f.metadata.get("setting", True))


_WHERE = _where()
SETTING_NAMES = tuple(_WHERE)
"""Every setting's name, as the config file spells it."""


DESCRIPTIONS = {
    "model": "Vosk model folder (--model; else GOODENOUGH_MODEL; else any in models_dir)",
    "models_dir": "where downloaded speech models live",
    "mic": "microphone, by part of its name (--mic; see 'goodenough devices')",
    "wake_phrase": "words that start a turn (--wake-phrase)",
    "wake": "false: answer everything without the wake phrase (--no-wake)",
    "follow_up_seconds": "seconds it listens after speaking without the wake phrase (--follow-up)",
    "endpoint_silence_seconds": "silence that ends what she says",
    "log_transcripts": "log what was heard and said (--log-transcripts)",
    "timings": "log each turn's latency (--timings)",
    "voice": "espeak-ng voice, e.g. en-gb (--voice)",
    "rate_wpm": "speaking rate (--rate)",
    "volume": "how loud it speaks (--volume)",
    "speaker": "speaker, by part of its name (--speaker)",
    "breathing_tone": "a tone at each phase change: true, false, or out (as the pattern says)",
    "breathing_count": "softly count the seconds where a breathing pattern asks for it",
    "dialogs": "script folders or files (--dialogs)",
    "country": "whose helpline numbers: US, CA, GB, IE, AU or NZ (--country)",
    "conversation_minutes": "quiet minutes after which her next words start a new conversation",
    "cache_dir": "where speech and the understanding model are cached",
}
"""What each setting does, as `goodenough run --help` lists them (with the allowed range
from LIMITS where there is one); a test keeps it complete."""
ENVIRONMENT = {
    "GOODENOUGH_MODEL": "a Vosk model folder, after --model and before the config file",
    "XDG_CONFIG_HOME": "moves the config folder (default ~/.config)",
    "XDG_CACHE_HOME": "moves the cache folder (default ~/.cache)",
}


def describe(name: str) -> str:
    """What a setting does, and its allowed range when it has one."""
    limit = LIMITS.get(name)
    return DESCRIPTIONS[name] + (f"; {limit.allowed()}" if limit else "")


def settings_help() -> str:
    """Every setting and environment variable, for the end of `goodenough run --help`."""
    width = max(map(len, DESCRIPTIONS))
    lines = ["settings (config file names; a flag above sets some of them):"]
    lines += [f"  {name:<{width}}  {describe(name)}" for name in DESCRIPTIONS]
    lines += ["", "environment:"]
    lines += [f"  {name:<{width}}  {text}" for name, text in ENVIRONMENT.items()]
    return "\n".join(lines)


def _hint(key: str) -> Any:
    part, name = _WHERE[key]
    owner = get_type_hints(Settings)[part] if part else Settings
    return get_type_hints(owner)[name]


class ConfigError(GoodEnoughError):
    """The config file is missing, unreadable, or names an unknown setting or a bad value."""


_PATH_FIELDS = {"model", "models_dir", "cache_dir"}
_FOLDER_FIELDS = {"models_dir", "cache_dir"}
"""Folders the program writes into: naming an existing file is an error at start-up."""


def load_config(path: Path, base: Settings, required: bool = False) -> Settings:
    """Settings overridden by the YAML config file at `path`. A missing file is an error only
    when `required` (it was named on the command line); otherwise the defaults stand."""
    if not path.exists() and not required:
        return base
    data = _read(path)
    known = set(SETTING_NAMES)
    odd = [repr(key) for key in data if not isinstance(key, str)]
    if odd:
        raise ConfigError(f"{path}: setting names must be words, not {', '.join(odd)}")
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(
            f"{path}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        )
    try:
        return base.with_values({key: _coerce(key, value) for key, value in data.items()})
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def _read(path: Path) -> dict[Any, Any]:
    """The config file's mapping; ConfigError saying why when it cannot be had."""
    if not path.exists():
        raise ConfigError(f"{path}: no such config file")
    if path.is_dir():
        raise ConfigError(f"{path}: is a folder, not a config file (YAML)")
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path}: not UTF-8 text (a bad byte at offset {exc.start}); save it as UTF-8"
        ) from None
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read the config file: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: must be a mapping of setting names to values")
    return data


def _coerce(key: str, value: Any) -> Any:
    """The setting's value from YAML: paths from the strings naming them, others type-checked."""
    if key == "dialogs":
        items = value if isinstance(value, list) else [value]
        if not items or not all(isinstance(p, str) for p in items):
            raise ConfigError("dialogs: must be a folder or file path, or a list of them")
        return tuple(Path(p) for p in items)
    if key in _PATH_FIELDS:
        return _path(key, value)
    kinds = _kinds(key)
    numeric_bool = isinstance(value, bool) and bool not in kinds
    if numeric_bool or not isinstance(value, kinds):
        names = " or ".join("empty" if k is type(None) else k.__name__ for k in kinds)
        raise ConfigError(f"{key}: must be {names}, not {value!r}")
    _check_value(key, value)
    return value


def _check_value(key: str, value: Any) -> None:
    """Numbers within their range (the table the flags use too); the wake phrase not blank."""
    if key in LIMITS:
        try:
            LIMITS[key].check(value)
        except ValueError as exc:
            raise ConfigError(f"{key}: {exc}") from None
    if key == "wake_phrase" and not value.split():
        raise ConfigError(f"{key}: the wake phrase must have at least one word")


def _path(key: str, value: Any) -> Path | None:
    if value is not None and not isinstance(value, str):
        raise ConfigError(f"{key}: must be a path")
    if value is None:
        return None
    path = Path(value)
    if key in _FOLDER_FIELDS and path.exists() and not path.is_dir():
        raise ConfigError(f"{key}: {path} is a file, not a folder")
    return path


def _kinds(key: str) -> tuple[type, ...]:
    """The YAML value types a setting accepts, from its annotation (a float takes an int)."""
    hint = _hint(key)
    accepted: list[type] = []
    for kind in get_args(hint) or (hint,):
        accepted += [int, float] if kind is float else [kind]
    return tuple(accepted)


MODEL_VARIABLE = "GOODENOUGH_MODEL"
"""The environment variable naming a Vosk model folder (after --model, before the config)."""
_FLAGS = {
    "mic": "mic",
    "speaker": "speaker",
    "voice": "voice",
    "rate": "rate_wpm",
    "volume": "volume",
    "wake_phrase": "wake_phrase",
    "follow_up": "follow_up_seconds",
}
"""Command-line flag -> setting, for the flags that carry a value."""


def from_command_line(args: argparse.Namespace) -> Settings:
    """Defaults, then the config file (--config, else the usual place), then the flags given.
    The one place settings are built, at start and again on SIGHUP."""
    named = args.config is not None
    settings = load_config(args.config or default_config_path(), Settings(), required=named)
    values: dict[str, Any] = {
        f: getattr(args, a) for a, f in _FLAGS.items() if getattr(args, a, None) is not None
    }
    if args.dialogs:
        values["dialogs"] = tuple(args.dialogs)
    if args.country:
        values["country"] = args.country.upper()
    for flag in ("log_transcripts", "timings"):
        if getattr(args, flag, False):
            values[flag] = True
    if getattr(args, "no_wake", False):
        values["wake"] = False
    return _with_model(settings.with_values(values), getattr(args, "model", None))


def _with_model(settings: Settings, flag: Path | None) -> Settings:
    """The speech model: --model, then GOODENOUGH_MODEL, then the config file's, noting which."""
    env = os.environ.get(MODEL_VARIABLE)
    configured = settings.listening.model
    for by, path in (
        ("--model", flag),
        (MODEL_VARIABLE, env),
        ("the config file's model", configured),
    ):
        if path:
            chosen = replace(settings.listening, model=Path(path).expanduser(), model_named_by=by)
            return replace(settings, listening=chosen)
    return settings
