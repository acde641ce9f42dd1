"""Typed errors with stable codes and bilingual messages.

`app` and `sync` raise these; the UI turns `code` into a translated message (the texts here are
the reference wording in both languages, used by the CLIs and in tests).
"""

from __future__ import annotations


class JiafangError(Exception):
    """Base of every error this project raises on purpose."""

    code: str = "error"

    def __init__(self, message_zh: str, message_en: str, *, code: str | None = None) -> None:
        super().__init__(message_en)
        self.message_zh = message_zh
        self.message_en = message_en
        if code is not None:
            self.code = code

    def message(self, language: str = "zh") -> str:
        return self.message_zh if language.startswith("zh") else self.message_en

    def __str__(self) -> str:
        return f"{self.message_en} ({self.message_zh})"


class ValidationError(JiafangError):
    """Input that breaks a rule; the message says which rule and why."""

    code = "validation"


class CryptoError(JiafangError):
    """Decryption, authentication or key-handling failure. Never carries plaintext."""

    code = "crypto"


class StoreError(JiafangError):
    """The local store cannot do what was asked (locked, missing record, bad migration)."""

    code = "store"


class PolicyError(JiafangError):
    """A policy file or an evaluation input is malformed or incomplete."""

    code = "policy"


class WrongPasswordError(CryptoError):
    """The password does not open the vault (or the header's KDF parameters were altered)."""

    code = "wrong_password"


class VaultHeaderError(CryptoError):
    """The vault header is corrupt, truncated, or its parameters are below the allowed floor."""

    code = "vault_header"


class DecryptionError(CryptoError):
    """An envelope failed authentication: altered, truncated, moved to another place, wrong key."""

    code = "decryption_failed"


class KeyMissingError(CryptoError):
    """The data key for an envelope is not available: shredded, never synced, or vault locked."""

    code = "key_missing"


class VaultLockedError(StoreError):
    """The store was asked for sensitive data while its vault is locked."""

    code = "vault_locked"


class RegistrationIncompleteError(JiafangError):
    """The server registered this laptop but a later step of the registration failed (the
    first lease, say): a retry re-uses that device instead of leaving it behind."""

    code = "registration_incomplete"

    def __init__(self, device_id: str, cause: JiafangError) -> None:
        super().__init__(
            "本机已在服务器登记，但登记未能完成（"
            + cause.message_zh
            + "）。请检查网络后重试，重试将继续使用本次登记",
            "This laptop was registered on the server but the registration could not finish ("
            + cause.message_en
            + "). Check the network and try again; the retry continues this registration",
        )
        #: the device the server now holds for this laptop
        self.device_id = device_id
        self.cause = cause
