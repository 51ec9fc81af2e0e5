"""The plugin's options as MkDocs reads them under `plugins: - trl-cards:` in mkdocs.yml.

Every option is declared once, in `model.settings` (its documentation, default and check);
this module only hands those declarations to MkDocs, and turns a validated configuration and
mkdocs.yml's own keys into the pipeline's `Settings`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from mkdocs.config.base import BaseConfigOption, Config, ValidationError
from mkdocs.config.defaults import MkDocsConfig

from ..cards.options import Option, OptionError
from ..cards.problem import FixableError
from ..model.settings import SITE_OPTIONS, Settings

__all__ = ["SettingsError", "TrlCardsConfig", "read_settings", "settings_of"]


class _Absent:
    """The value MkDocs gives an option not written in mkdocs.yml."""


_ABSENT = _Absent()


class _Declared(BaseConfigOption[Any]):
    """An option of `model.settings`, checked by its own declaration."""

    def __init__(self, option: Option) -> None:
        super().__init__()
        self.option = option
        self.default = _ABSENT

    def run_validation(self, value: object) -> Any:
        if value is _ABSENT or value is None:
            return self.option.default
        try:
            return self.option.read(value, self.option.name)
        except OptionError as error:
            raise ValidationError(str(error)) from None


def _declared(name: str) -> _Declared:
    return _Declared(next(o for o in SITE_OPTIONS if o.name == name))


class TrlCardsConfig(Config):
    """Options of the `trl-cards` plugin, each declared in `model.settings.Settings` (a test
    keeps this list equal to the declarations)."""

    enabled = _declared("enabled")
    include = _declared("include")
    exclude = _declared("exclude")
    formats = _declared("formats")
    prefix = _declared("prefix")
    nav_title = _declared("nav_title")
    history = _declared("history")
    allow_incomplete_history = _declared("allow_incomplete_history")
    ignore_revs_file = _declared("ignore_revs_file")
    commit_url = _declared("commit_url")
    timezone = _declared("timezone")
    stale_days = _declared("stale_days")
    table_rows = _declared("table_rows")
    milestone_tags = _declared("milestone_tags")
    sources = _declared("sources")
    goals = _declared("goals")
    cache = _declared("cache")
    gates = _declared("gates")


def settings_of(options: TrlCardsConfig, config: MkDocsConfig) -> Settings:
    """The pipeline's settings from the plugin's options and mkdocs.yml."""
    return Settings(
        directory=Path(config.config_file_path or ".").resolve().parent,
        **{option.name: options[option.name] for option in SITE_OPTIONS},
        directory_urls=config.use_directory_urls,
        repo_url=config.repo_url,
        edit_uri=config.edit_uri,
        site_url=config.site_url,
        # MkDocs resolves custom_dir against the folder of mkdocs.yml.
        template_dirs=(Path(config.theme.custom_dir),) if config.theme.custom_dir else (),
    )


class SettingsError(FixableError):
    """mkdocs.yml cannot give the settings: what is wrong (naming the file), and the fix."""


def read_settings(config_file: Path) -> Settings:
    """The settings of the site whose mkdocs.yml this is, read as `mkdocs build` reads them.

    MkDocs' own loader reads the file (`!ENV`, `INHERIT`, defaults such as `edit_uri`), and
    the `trl-cards` block is validated by the same declarations: the command line and the site
    can never disagree about which files are cards.

    Raises:
        SettingsError: the file cannot be read, or names no `trl-cards` plugin, or an option
            is invalid; the message says which and how to fix it.
    """
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError

    quiet = logging.getLogger("mkdocs")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # theme notices are not the command line's business
    try:
        config = load_config(config_file=str(config_file))
    except (ConfigurationError, OSError) as error:
        raise SettingsError(f"{config_file}: {error}") from None
    except Abort as error:  # MkDocs has logged each bad option, with its key, just above
        raise SettingsError(
            f"{config_file}: {error.message.rstrip('!')}: the lines above name each option "
            "and what is wrong with it.",
            "Correct those options.",
        ) from None
    finally:
        quiet.setLevel(level)
    for plugin in config.plugins.values():
        if isinstance(plugin.config, TrlCardsConfig):
            return settings_of(plugin.config, config)
    raise SettingsError(
        f"{config_file} does not use the trl-cards plugin.", "Add `- trl-cards` under `plugins:`."
    )
