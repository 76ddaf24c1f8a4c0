"""One error hierarchy: every mistake a user can make is a :class:`ZonesimError`, whose message
is one line naming the file, key or option and what was expected. The CLI prints it without a
traceback, catching by type."""


class ZonesimError(Exception):
    """A bad input to zonesim (a scenario file, an option, an experiment or calibration request).
    """

    #: the message starts with the file it is about, so the CLI prints it as it is; other
    #: messages get the prefix ``zonesim:``
    names_its_file = False


class ScenarioError(ZonesimError):
    """A scenario file is malformed or inconsistent; the message says where and what."""

    names_its_file = True


class ExperimentError(ZonesimError):
    """A bad experiment request (unknown parameter, bad range, bad method, folder clash)."""


class CalibrationError(ZonesimError):
    """A calibration request the data or the scenario cannot support."""


def cut(text, limit: int = 80) -> str:
    """``text`` as a user gave it, cut to ``limit`` characters: an error echoes a user's input
    at most once and never at full length (a 200 000-character name would bury the message)."""
    text = str(text)
    return text if len(text) <= limit else text[:limit - 1] + "…"
