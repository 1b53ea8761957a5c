"""The theme's templates compiled once, kept between builds.

Jinja compiles each template to Python code the first time an environment loads it, and a build
has several environments (one per Pelican generator, and the processes that write pages): about
thirty compilations a build, 0.1–0.2 s of every rebuild and of every start of the preview. With
a parse cache (``PORTAL_PARSE_CACHE``), the compiled code is kept in its ``templates/`` folder
(each file written under a temporary name and renamed, so processes that share the folder never
read half of one).

A compiled template is found again only for the same template (its name and file), the same source
(Jinja checks a digest of it: an edited template is compiled again), the same compiler options of the
environment (``trim_blocks``, the block strings, autoescape, extensions…), which Jinja's own key leaves
out, and the same build fingerprint (``portal.renders.fingerprints``: the portal's code, its plugins and
theme, the settings but where the content folder is, the versions of Python, Jinja and the other
libraries). The fingerprint matters:
Jinja resolves filters when it compiles, and runs one with constant arguments then, baking its result
into the code (``{{ 4.25 | decimal }}`` is "4,3" in Vietnamese, "4.3" in English). Like Python's
``__pycache__``, the folder is the build's own: its files are loaded as code.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket, bc_magic

_OPTIONS = ("block_start_string", "block_end_string", "variable_start_string", "variable_end_string",
            "comment_start_string", "comment_end_string", "line_statement_prefix", "line_comment_prefix",
            "trim_blocks", "lstrip_blocks", "newline_sequence", "keep_trailing_newline", "optimized",
            "is_async", "autoescape", "finalize")


def _named(value: object) -> str:
    """A value as the same text on every run (a function by its module and name, not its address)."""
    if callable(value):
        return f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', type(value).__qualname__)}"
    return repr(value)


def compiler_options(env: jinja2.Environment) -> str:
    """What, besides a template's source, shapes the code Jinja compiles it to."""
    options = [f"{name}={_named(getattr(env, name, None))}" for name in _OPTIONS]
    options.append("extensions=" + ",".join(sorted(env.extensions)))
    from .renders import baked  # what an extension bakes into the code besides the source (the translations)

    options.append(baked(env).decode())
    return "\0".join(options)


class TemplateCache(jinja2.FileSystemBytecodeCache):
    """Jinja's file cache of compiled templates, keyed by the environment's compiler options too, and
    each file checked whole (its digest) before its code is loaded: a damaged file (a full disk, a
    flipped bit) is compiled again, never handed to ``marshal`` (Jinja's own format also unpickles)."""

    MAGIC = b"portal template 1\n"
    LARGEST = 8_000_000  # a compiled template is tens of kilobytes

    def __init__(self, directory: str, salt: str) -> None:
        super().__init__(directory)
        self.salt = salt  # the build's fingerprint

    def get_bucket(self, environment: jinja2.Environment, name: str, filename: str | None,
                   source: str) -> Bucket:
        key = hashlib.sha256(f"{self.salt}\0{name}\0{filename or ''}\0{compiler_options(environment)}".encode(
            "utf-8", "surrogatepass")).hexdigest()
        bucket = Bucket(environment, key, self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    def _head(self, bucket: Bucket) -> bytes:
        return self.MAGIC + bc_magic + bucket.checksum.encode() + b"\0"

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            with open(self._get_cache_filename(bucket), "rb") as f:
                data = f.read(self.LARGEST + 1)
        except OSError:
            return
        head = self._head(bucket)
        if len(data) > self.LARGEST or not data.startswith(head):
            return  # another template's source, Jinja or Python: compiled again (and written over)
        digest, code = data[len(head):len(head) + 16], data[len(head) + 16:]
        if len(digest) != 16 or hashlib.blake2b(code, digest_size=16).digest() != digest:
            return
        try:
            bucket.code = marshal.loads(code)
        except (EOFError, ValueError, TypeError):
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        if bucket.code is None:
            return
        code = marshal.dumps(bucket.code)
        name = self._get_cache_filename(bucket)
        tmp = f"{name}.{os.getpid()}.tmp"
        try:  # under a name of its own, then renamed: a process sharing the folder never reads half of it
            with open(tmp, "wb") as f:
                f.write(self._head(bucket) + hashlib.blake2b(code, digest_size=16).digest() + code)
            os.replace(tmp, name)
        except OSError:  # a full disk or a folder made read-only: compiled again next time
            with contextlib.suppress(OSError):
                os.unlink(tmp)


class MemoryTemplateCache(jinja2.BytecodeCache):
    """Compiled templates kept in this process for one build's settings, when there is no parse cache (a cold
    build, a build with ``PORTAL_PARSE_CACHE = ""``). A build has an environment for each of Pelican's
    generators and one for the ratings' files, and each compiled every template it renders: base.html four
    times (13-30 ms each), 41 compilations in all, 200 ms of a build at 1,000 articles. Each environment
    now finds the code another one compiled, for the same source and compiler options (the same key as
    ``TemplateCache``'s, but for the fingerprint: one process, one settings object, the same code)."""

    def __init__(self) -> None:
        self.codes: dict[str, tuple[str, object]] = {}

    def get_bucket(self, environment: jinja2.Environment, name: str, filename: str | None,
                   source: str) -> Bucket:
        bucket = Bucket(environment, f"{name}\0{filename or ''}\0{compiler_options(environment)}",
                        self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket: Bucket) -> None:
        found = self.codes.get(bucket.key)
        if found is not None and found[0] == bucket.checksum:
            bucket.code = found[1]  # a code object: never changed, shared by every template made from it

    def dump_bytecode(self, bucket: Bucket) -> None:
        if bucket.code is not None:
            if len(self.codes) >= KEPT:  # code for sources and tables no longer used (a long preview's edits)
                self.codes.clear()
            self.codes[bucket.key] = (bucket.checksum, bucket.code)

    def clear(self) -> None:
        self.codes.clear()


_MEMORY: dict[int, tuple[dict, MemoryTemplateCache]] = {}  # a settings object -> (itself, its compiled templates)
_CACHES: dict[tuple[str, str], TemplateCache | None] = {}
_SALTS: dict[int, tuple[dict, str]] = {}  # a settings object -> (itself, its fingerprint)
KEPT = 1000  # compiled templates kept at most (each change of code or settings adds a set of them)


def template_cache(settings: dict) -> TemplateCache | MemoryTemplateCache:
    """The build's cache of compiled templates, in the parse cache's folder; without one (or when the folder
    cannot be made), kept in this process for this settings object."""
    where = settings.get("PORTAL_PARSE_CACHE")
    if not where:
        return _memory(settings)
    known = _SALTS.get(id(settings))
    if known is None or known[0] is not settings:
        from .renders import fingerprints

        salt = settings.get("PORTAL_TEMPLATE_FINGERPRINT") or fingerprints(settings)[1]
        known = _SALTS[id(settings)] = (settings, f"{salt} jinja {jinja2.__version__}")
    folder = os.path.abspath(Path(str(where)) / "templates")
    if (folder, known[1]) not in _CACHES:
        try:
            os.makedirs(folder, exist_ok=True)
            if len(os.listdir(folder)) > KEPT:  # older sets, never found again: compiled anew when needed
                for name in os.listdir(folder):
                    with contextlib.suppress(OSError):
                        os.unlink(os.path.join(folder, name))
            _CACHES[folder, known[1]] = TemplateCache(folder, known[1])
        except OSError:
            _CACHES[folder, known[1]] = None
    return _CACHES[folder, known[1]] or _memory(settings)


def _memory(settings: dict) -> MemoryTemplateCache:
    known = _MEMORY.get(id(settings))
    if known is None or known[0] is not settings:
        if len(_MEMORY) >= 8:  # the settings of earlier builds in this process (the live preview's)
            _MEMORY.clear()
        known = _MEMORY[id(settings)] = (settings, MemoryTemplateCache())
    return known[1]
