"""Cloud credentials (C1/R3): HUAWEICLOUD_SDK_AK / HUAWEICLOUD_SDK_SK, else `[cloud] credentials_file`.

The file is either the console's `credentials.csv` (a header row, then `User Name,Access Key Id,Secret
Access Key`) or `key = value` lines (`ak`/`sk`, or `access_key`/`secret_key`, as in the SDK's docs).
A file that its group or others can read is refused; the secret never reaches a message.
"""

from __future__ import annotations

import csv
import io
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.errors import ConfigError

AK_VARIABLE = "HUAWEICLOUD_SDK_AK"
SK_VARIABLE = "HUAWEICLOUD_SDK_SK"
_NAMES = {"ak": "ak", "access_key": "ak", "access key id": "ak", "sk": "sk", "secret_key": "sk",
          "secret access key": "sk"}


@dataclass(frozen=True)
class Credentials:
    ak: str
    sk: str = field(repr=False)
    source: str = ""


def load(credentials_file: str = "", env=None) -> Credentials:
    """The credentials to sign with: the SDK's variables first, then the file."""
    env = os.environ if env is None else env
    ak, sk = env.get(AK_VARIABLE, "").strip(), env.get(SK_VARIABLE, "").strip()
    if ak and sk:
        return Credentials(ak, sk, "environment")
    if credentials_file:
        return read_file(Path(credentials_file).expanduser())
    raise ConfigError("no cloud credentials", rule="C3",
                      fix=f"export {AK_VARIABLE} and {SK_VARIABLE}, or set [cloud] credentials_file "
                          "(a file only you can read)")


def read_file(path: Path) -> Credentials:
    try:
        mode = path.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise ConfigError(f"credentials file {path} can be read by others (mode {stat.S_IMODE(mode):04o})",
                              rule="C3", fix=f"chmod 600 {path}")
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ConfigError(f"credentials file {path} cannot be read: {exc.strerror or exc}",
                          fix="check [cloud] credentials_file and its permissions") from None
    first = text.strip().splitlines()[0] if text.strip() else ""
    found = _from_csv(text) if "," in first else _from_lines(text)
    if not found.get("ak") or not found.get("sk"):
        raise ConfigError(f"credentials file {path} has no access key and secret key", rule="C3",
                          fix="write `ak = ...` and `sk = ...` lines, or use the console's credentials.csv")
    return Credentials(found["ak"], found["sk"], str(path))


def _from_csv(text: str) -> dict:
    rows = list(csv.reader(io.StringIO(text)))
    if len(rows) < 2:
        return {}
    header = [_NAMES.get(name.strip().lower(), "") for name in rows[0]]
    return {key: value.strip() for key, value in zip(header, rows[1]) if key}


def _from_lines(text: str) -> dict:
    found = {}
    for line in text.splitlines():
        name, sep, value = line.partition("=")
        key = _NAMES.get(name.strip().lower())
        if sep and key:
            found[key] = value.strip().strip("\"'")
    return found
