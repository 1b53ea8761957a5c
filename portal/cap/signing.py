"""Optional enveloped XML signature (XML-DSig) of every CAP file.

With CAP_SIGNING_KEY and CAP_SIGNING_CERT (PEM paths) set, each <alert>
gets a <ds:Signature> as its last child, with the certificate in KeyInfo,
as WMO's capvalidator and most CAP consumers expect. Signed files are
written without indentation: whitespace would change the signed digest
for verifiers that strip blank text. RSA keys sign deterministically
(RSA-SHA256), so unchanged content still gives identical bytes; EC keys
(ECDSA) sign with a random nonce and do not.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from ..settings import SettingsError

if TYPE_CHECKING:
    from lxml import etree

# cryptography and signxml are imported by a Signer only: an unsigned build (the default) does not
# load them (12 MiB of the build's memory)


class SigningSettingsError(SettingsError):
    """A signing key or certificate that cannot be used (in Vietnamese, in English)."""


class Signer:
    def __init__(self, key_pem: bytes, cert_pem: bytes, password: bytes | None = None):
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec, rsa

        key = serialization.load_pem_private_key(key_pem, password=password)
        if isinstance(key, rsa.RSAPrivateKey):
            algorithm = "rsa-sha256"
        elif isinstance(key, ec.EllipticCurvePrivateKey):
            algorithm = "ecdsa-sha256"
        else:
            raise SigningSettingsError("CAP_SIGNING_KEY: dùng khóa riêng RSA hoặc EC",
                                       "CAP_SIGNING_KEY: use an RSA or EC private key")
        self.key = key
        self.cert = cert_pem.decode("ascii")
        self.algorithm = algorithm

    def sign(self, root: etree._Element) -> bytes:
        from lxml import etree
        from signxml import XMLSigner, methods

        signer = XMLSigner(method=methods.enveloped, signature_algorithm=self.algorithm,
                           digest_algorithm="sha256")
        signed = signer.sign(root, key=self.key, cert=self.cert)
        return etree.tostring(signed, xml_declaration=True, encoding="UTF-8")


def from_settings(settings: dict) -> Signer | None:
    key_path = settings.get("CAP_SIGNING_KEY")
    cert_path = settings.get("CAP_SIGNING_CERT")
    if not key_path and not cert_path:
        return None
    if not key_path or not cert_path:
        missing = "CAP_SIGNING_CERT" if key_path else "CAP_SIGNING_KEY"
        raise SigningSettingsError(
            f"Cấu hình thiếu {missing}. Cách sửa: đặt cả CAP_SIGNING_KEY lẫn CAP_SIGNING_CERT (tệp PEM) để ký "
            "các cảnh báo CAP, hoặc bỏ cả hai để đăng không ký",
            f"{missing} is not set in the settings: set both CAP_SIGNING_KEY and CAP_SIGNING_CERT "
            "(PEM files) to sign CAP alerts, or neither to publish them unsigned")
    files = {}
    for name, value in (("CAP_SIGNING_KEY", key_path), ("CAP_SIGNING_CERT", cert_path)):
        path = Path(os.path.expanduser(str(value)))
        if not path.is_file():
            raise SigningSettingsError(f"{name} = {str(value)!r}: không có tệp này. Cách sửa: ghi đường dẫn "
                                       "của một tệp PEM mà lệnh xây dựng đọc được",
                                       f"{name} = {str(value)!r}: no such file; give the path of a "
                                       "PEM file readable by the build")
        files[name] = path.read_bytes()
    password = os.environ.get("CAP_SIGNING_KEY_PASSWORD")
    try:
        return Signer(files["CAP_SIGNING_KEY"], files["CAP_SIGNING_CERT"],
                      password.encode() if password else None)
    except (ValueError, TypeError) as problem:
        if isinstance(problem, SigningSettingsError):
            raise
        raise SigningSettingsError(f"CAP_SIGNING_KEY = {str(key_path)!r} không phải khóa riêng PEM dùng được "
                                   f"({problem}). Cách sửa: nếu khóa được mã hóa, đặt biến môi trường "
                                   "CAP_SIGNING_KEY_PASSWORD",
                                   f"CAP_SIGNING_KEY = {str(key_path)!r} is not a usable PEM private key "
                                   f"({problem}); if it is encrypted, set CAP_SIGNING_KEY_PASSWORD "
                                   "in the environment") from None
