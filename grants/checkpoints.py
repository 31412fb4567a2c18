"""Signed checkpoints of the decision history's head (docs/operations.md, "The history chain").

A checkpoint says, signed: "the chain's record #``head_id``, whose hash is
``head_hash``, was its ``count``-th record at ``signed_at``", and lists each
record since the previous checkpoint as its id and the first 16 hex digits of
its hash, with the digest of that previous checkpoint (``prev``). The key is an
Ed25519 private key kept outside the database (a file or an environment
variable), so whoever controls the database can cut the chain or re-hash it
from a record on, but cannot sign a checkpoint that agrees with the result.

Checkpoints are kept in three kinds of place: the ``HistoryCheckpoint`` table
(append-only, what every server reads), a directory outside the database
(``HISTORY_CHECKPOINT_DIR``, one write-once file per checkpoint) and every
history export (the last line, row or sheet). This module signs, checks
signatures and reads and writes those copies; what a checkpoint must agree
with is ``grants.history``'s business.
"""

import base64
import csv
import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from web.errors import DomainError

from .models import HistoryCheckpoint

FORMAT = 1
GENESIS = "0" * 64
HASH_PREFIX = 16  # hex digits of each record's hash a checkpoint lists: 64 bits, enough to name a rewritten record
SIGNED_FIELDS = ("format", "seq", "head_id", "head_hash", "count", "signed_at", "key_id", "prev", "records")
DATABASE = "database"
DIRECTORY = "directory"
XLSX_SHEET = "checkpoint"
XLSX_CELL = 32_000  # a worksheet cell holds at most 32,767 characters


class SigningKeyMissing(DomainError):
    code = "signing_key_missing"
    http_status = 503
    default_message = _("No key to sign history checkpoints with is configured (HISTORY_SIGNING_KEY_FILE).")


class CheckpointFileError(DomainError):
    code = "checkpoint_file_unreadable"
    http_status = 400
    default_message = _("The file holds no readable checkpoint.")


@dataclass(frozen=True)
class Checkpoint:
    """One checkpoint as found in one place: the signed fields, the signature, and where it came from."""

    fields: dict
    signature: str
    source: str = DATABASE
    problems: tuple[str, ...] = field(default=(), compare=False)  # why it could not be read as stored
    # The text ``fields`` were read from, when it is kept as the signed text (the database's ``payload``).
    stored_text: str | None = field(default=None, compare=False, repr=False)

    @property
    def seq(self) -> int:
        return self.fields["seq"]

    @property
    def head_id(self) -> int:
        return self.fields["head_id"]

    @property
    def head_hash(self) -> str:
        return self.fields["head_hash"]

    @property
    def count(self) -> int:
        return self.fields["count"]

    @property
    def records(self) -> list:
        return self.fields["records"]

    def payload(self) -> str:
        return canonical(self.fields)

    def digest(self, payload: str | None = None) -> str:
        """What the next checkpoint's ``prev`` names: the signed text and its signature (``payload``: the signed
        text, when the caller has made it already)."""
        return hashlib.sha256(f"{self.payload() if payload is None else payload}.{self.signature}".encode()).hexdigest()

    def as_dict(self) -> dict:
        return {**self.fields, "signature": self.signature}

    def summary(self) -> dict:
        """The checkpoint without its record list, for reports."""
        return {name: self.fields.get(name) for name in ("seq", "head_id", "head_hash", "count", "signed_at", "key_id")}


def canonical(fields: dict) -> str:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


# --- keys -----------------------------------------------------------------------------------------


def _read_or_make_dev_key(path: Path) -> bytes:
    """Development only: the key in var/, made on first use (0600, never overwritten)."""
    if not path.exists():
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        try:
            handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            pass
        else:
            with os.fdopen(handle, "wb") as out:
                out.write(pem)
    return path.read_bytes()


def _private_pem() -> bytes | None:
    if settings.HISTORY_SIGNING_KEY:
        return settings.HISTORY_SIGNING_KEY.encode()
    if settings.HISTORY_SIGNING_KEY_FILE:
        try:
            return Path(settings.HISTORY_SIGNING_KEY_FILE).read_bytes()
        except OSError as exc:
            raise SigningKeyMissing(
                _("The history signing key file %(path)s cannot be read: %(error)s")
                % {"path": settings.HISTORY_SIGNING_KEY_FILE, "error": exc.strerror}
            ) from None
    if settings.HISTORY_DEV_SIGNING_KEY_FILE:
        return _read_or_make_dev_key(Path(settings.HISTORY_DEV_SIGNING_KEY_FILE))
    return None


def signing_key() -> Ed25519PrivateKey:
    pem = _private_pem()
    if pem is None:
        raise SigningKeyMissing()
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:
        raise SigningKeyMissing(_("The history signing key is not a PEM private key: %(error)s") % {"error": exc}) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyMissing(_("The history signing key must be an Ed25519 key."))
    return key


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "ed25519:" + hashlib.sha256(raw).hexdigest()[:16]


def load_public_key(path: str | Path) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(Path(path).read_bytes())
    except OSError as exc:
        raise SigningKeyMissing(
            _("The public key file %(path)s cannot be read: %(error)s") % {"path": path, "error": exc.strerror}
        ) from None
    except ValueError as exc:
        raise SigningKeyMissing(_("%(path)s is not a PEM public key: %(error)s") % {"path": path, "error": exc}) from None
    if not isinstance(key, Ed25519PublicKey):
        raise SigningKeyMissing(_("%(path)s is not an Ed25519 public key.") % {"path": path})
    return key


def trusted_keys(extra: Iterable[str | Path] = ()) -> dict[str, Ed25519PublicKey]:
    """The public keys a verifier accepts: the signing key's own, ``HISTORY_PUBLIC_KEY_FILES`` and ``extra``."""
    keys = [load_public_key(path) for path in [*settings.HISTORY_PUBLIC_KEY_FILES, *extra]]
    if _private_pem() is not None:
        keys.append(signing_key().public_key())
    return {key_id(key): key for key in keys}


def sign(fields: dict, key: Ed25519PrivateKey) -> Checkpoint:
    fields = {**fields, "format": FORMAT, "key_id": key_id(key.public_key())}
    signature = base64.b64encode(key.sign(canonical(fields).encode())).decode()
    return Checkpoint(fields, signature)


def authenticate(checkpoint: Checkpoint, keys: dict[str, Ed25519PublicKey]) -> str:
    """Why a checkpoint cannot be trusted ("" when its signature holds under a trusted key)."""
    return _authenticated(checkpoint, keys)[0]


def authenticate_with_digest(checkpoint: Checkpoint, keys: dict[str, Ed25519PublicKey]) -> tuple[str, str | None]:
    """``authenticate``'s answer and, for a checkpoint it trusts, its ``digest``: the signed text made once for both
    (a checkpoint's text lists its records, so making it is most of the work)."""
    why, payload = _authenticated(checkpoint, keys)
    return why, None if why else checkpoint.digest(payload)


def _authenticated(checkpoint: Checkpoint, keys: dict[str, Ed25519PublicKey]) -> tuple[str, str | None]:
    if checkpoint.problems:
        return "; ".join(checkpoint.problems), None
    if sorted(checkpoint.fields) != sorted(SIGNED_FIELDS):
        return "its fields are not those a checkpoint signs", None
    public = keys.get(checkpoint.fields.get("key_id"))
    if public is None:
        return f"it names a key this verifier does not trust ({checkpoint.fields.get('key_id')})", None
    try:
        signature = base64.b64decode(checkpoint.signature, validate=True)
    except ValueError:
        return "its signature does not verify: it was forged or altered", None
    if checkpoint.stored_text is not None:
        # A key signs nothing but ``canonical(fields)`` (``sign``), which reads back as those fields and is made
        # again from them: a signature that holds over the text the fields were read from holds over their
        # canonical text, which is that text. Making it (a checkpoint lists its records) is then not needed.
        try:
            public.verify(signature, checkpoint.stored_text.encode())
        except InvalidSignature:
            pass  # the stored text may be spelled otherwise: the canonical text decides, as for any copy
        else:
            return "", checkpoint.stored_text
    payload = checkpoint.payload()
    try:
        public.verify(signature, payload.encode())
    except InvalidSignature:
        return "its signature does not verify: it was forged or altered", payload
    return "", payload


# --- where checkpoints are kept -------------------------------------------------------------------


def from_dict(data, source: str) -> Checkpoint:
    """A checkpoint from its stored form ``{...signed fields, "signature"}``; unreadable ones carry their problem."""
    if not isinstance(data, dict) or not isinstance(data.get("signature"), str):
        return Checkpoint({"seq": _seq_of(data)}, "", source, ("it is not a signed checkpoint",))
    fields = {name: value for name, value in data.items() if name != "signature"}
    if not isinstance(fields.get("seq"), int):
        return Checkpoint({"seq": None}, data["signature"], source, ("it has no number",))
    return Checkpoint(fields, data["signature"], source)


def _seq_of(data) -> int | None:
    return data.get("seq") if isinstance(data, dict) and isinstance(data.get("seq"), int) else None


def from_row(row: HistoryCheckpoint) -> Checkpoint:
    try:
        fields = json.loads(row.payload)
    except ValueError:
        return Checkpoint({"seq": row.seq}, row.signature, DATABASE, ("its stored text is not JSON",))
    checkpoint = from_dict({**fields, "signature": row.signature} if isinstance(fields, dict) else None, DATABASE)
    if not checkpoint.problems and (checkpoint.seq, checkpoint.fields.get("head_id")) != (row.seq, row.head_id):
        problem = "its row's number or head differs from what it signs"
        return Checkpoint(checkpoint.fields, row.signature, DATABASE, (problem,))
    if checkpoint.problems or "signature" in fields:
        return checkpoint
    return Checkpoint(checkpoint.fields, checkpoint.signature, DATABASE, stored_text=row.payload)


def from_database() -> list[Checkpoint]:
    return [from_row(row) for row in HistoryCheckpoint.objects.order_by("seq")]


@dataclass(frozen=True)
class StoredCopies:
    """The checkpoints kept in the database and the directory, as read at one moment, parsed when asked for.

    Reading them is quick; parsing their record lists is most of the work,
    which a verifier can then do while its workers read the chain (records
    appended after the reading are not among those the copies list).
    """

    rows: list[HistoryCheckpoint]
    files: list[tuple[str, str | None]]  # (source, the file's text, None when it cannot be read)

    def parsed(self) -> list[Checkpoint]:
        """``from_database()`` and then ``from_directory()`` as they were when read.

        A file whose text is exactly what ``write_to_directory`` writes for the
        database's copy of the checkpoint its name numbers (the usual case) is
        that copy's fields and signature, which it would parse back to, without
        being parsed: the same values, shared (parsing is mostly building the
        record lists, and the garbage collector walking them).
        """
        stored = [from_row(row) for row in self.rows]
        intact = {checkpoint.seq: checkpoint for checkpoint in stored if not checkpoint.problems}
        found = []
        for source, text in self.files:
            known = intact.get(_seq_of_file(source))
            if known is not None and text == _file_text(known):
                found.append(Checkpoint(known.fields, known.signature, source))
            else:
                found.append(_from_file_text(source, text))
        return [*stored, *found]


def read_stored() -> StoredCopies:
    """The database's and the directory's copies, read now (``StoredCopies``)."""
    return StoredCopies(list(HistoryCheckpoint.objects.order_by("seq")), _directory_texts())


def latest_in_database() -> Checkpoint | None:
    row = HistoryCheckpoint.objects.order_by("-seq").first()
    return from_row(row) if row else None


def save(checkpoint: Checkpoint) -> None:
    HistoryCheckpoint.objects.create(
        seq=checkpoint.seq, head_id=checkpoint.head_id, payload=checkpoint.payload(), signature=checkpoint.signature
    )


def directory() -> Path | None:
    return Path(settings.HISTORY_CHECKPOINT_DIR) if settings.HISTORY_CHECKPOINT_DIR else None


def _file_name(seq: int) -> str:
    return f"checkpoint-{seq:09d}.json"


def _seq_of_file(source: str) -> int | None:
    """The number in a checkpoint file's name (``_file_name``), or None."""
    name = source.rsplit("/", 1)[-1]
    number = name.removeprefix("checkpoint-").removesuffix(".json")
    return int(number) if number.isdigit() and number.isascii() else None


def _file_text(checkpoint: Checkpoint) -> str:
    """What a checkpoint's file in the directory holds."""
    return json.dumps(checkpoint.as_dict(), sort_keys=True) + "\n"


def write_to_directory(checkpoints: Iterable[Checkpoint]) -> int:
    """Copy checkpoints into the directory, each once (write-once files, synced); the number written."""
    folder = directory()
    if folder is None:
        return 0
    folder.mkdir(parents=True, exist_ok=True)
    written = 0
    for checkpoint in checkpoints:
        path = folder / _file_name(checkpoint.seq)
        try:
            handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
        except FileExistsError:
            continue  # a copy is kept already; the verifier compares it with the database's
        with os.fdopen(handle, "w") as out:
            out.write(_file_text(checkpoint))
            out.flush()
            os.fsync(out.fileno())
        written += 1
    if written:
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    return written


def from_directory(folder: Path | None = None) -> list[Checkpoint]:
    return [_from_file_text(source, text) for source, text in _directory_texts(folder)]


def _directory_texts(folder: Path | None = None) -> list[tuple[str, str | None]]:
    folder = folder or directory()
    if folder is None or not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob("checkpoint-*.json")):
        try:
            text = path.read_text()
        except (OSError, ValueError):
            text = None
        found.append((f"{DIRECTORY} {path}", text))
    return found


def _from_file_text(source: str, text: str | None) -> Checkpoint:
    if text is not None:
        try:
            return from_dict(json.loads(text), source)
        except ValueError:
            pass
    return Checkpoint({"seq": None}, "", source, ("the file is not a JSON checkpoint",))


# --- checkpoints carried by exports and other files -------------------------------------------------


def export_trailer(checkpoint: Checkpoint | None) -> dict | None:
    return checkpoint.as_dict() if checkpoint else None


def from_file(path: str | Path) -> list[Checkpoint]:
    """The checkpoints an export (CSV, XLSX, JSON Lines), a checkpoint file or a checkpoint directory carries."""
    path = Path(path)
    if path.is_dir():
        found = from_directory(path)
    else:
        try:
            found = list(_read_file(path))
        except OSError as exc:
            raise CheckpointFileError(
                _("%(path)s cannot be read: %(error)s") % {"path": path, "error": exc.strerror}
            ) from None
        except (ValueError, KeyError, csv.Error) as exc:
            raise CheckpointFileError(
                _("%(path)s holds no readable checkpoint: %(error)s") % {"path": path, "error": exc}
            ) from None
    found = [checkpoint for checkpoint in found if checkpoint is not None]
    if not found:
        raise CheckpointFileError(_("%(path)s holds no checkpoint.") % {"path": path})
    return found


def _read_file(path: Path) -> Iterator[Checkpoint | None]:
    source = str(path)
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True)
        sheet = workbook[XLSX_SHEET]
        text = "".join(str(row[0]) for row in sheet.iter_rows(min_row=2, values_only=True) if row and row[0])
        yield from_dict(json.loads(text), source) if text and text != "null" else None
        return
    with path.open(encoding="utf-8-sig", newline="") as handle:
        if path.suffix == ".csv":
            for row in csv.DictReader(handle):
                if row.get("id") == "checkpoint":
                    data = json.loads(row["data"])
                    yield from_dict(data, source) if data else None
            return
        if path.suffix == ".json":
            data = json.load(handle)
            for item in data if isinstance(data, list) else [data]:
                yield from_dict(item, source)
            return
        for line in handle:  # JSON Lines
            if line.strip():
                item = json.loads(line)
                if isinstance(item, dict) and "checkpoint" in item:
                    yield from_dict(item["checkpoint"], source) if item["checkpoint"] else None


def xlsx_cells(checkpoint: Checkpoint | None) -> list[str]:
    """The checkpoint's JSON cut into worksheet-sized pieces, read back by joining them in order."""
    text = json.dumps(export_trailer(checkpoint), sort_keys=True)
    return [text[start:start + XLSX_CELL] for start in range(0, len(text), XLSX_CELL)]
