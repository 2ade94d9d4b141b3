"""Rules for account names and passwords (pure Python; console.data.accounts applies them)."""
from __future__ import annotations

import unicodedata

PASSWORD_MIN = 8
PASSWORD_MAX = 256  # argon2 takes any length; a megabyte "password" is a denial of service, not a password

# Passwords that guessing lists try first.  `demo1234` (the demo city's documented password) is
# deliberately not here: the demo must keep signing in.
COMMON_PASSWORDS = frozenset({
    "12345678", "123456789", "1234567890", "87654321", "12341234", "11223344", "12344321",
    "password", "password1", "passw0rd", "p@ssw0rd", "iloveyou", "qwertyui", "qwerty123",
    "qwertyuiop", "asdfghjk", "asdf1234", "zxcvbnm1", "1qaz2wsx", "1q2w3e4r", "q1w2e3r4",
    "abcd1234", "abc12345", "a1234567", "aa123456", "qq123456", "admin123", "admin888",
    "root1234", "welcome1", "letmein1", "changeme", "woaini1314", "5201314520", "147258369",
    "123qweasd", "abcdefgh", "00001111", "11112222", "66668888", "88889999", "12qwaszx",
})


def username_key(name: str) -> str:
    """What makes two user names the same: stripped, NFKC (full-width = half-width), case-folded."""
    return unicodedata.normalize("NFKC", name.strip()).casefold()


def username_problem(name: str) -> str | None:
    """Why `name` (already stripped) cannot be a user name, or None."""
    if not name:
        return "用户名不能为空 (empty user name)"
    return label_problem("用户名", "user name", username_key(name), shown=name)


def label_problem(what: str, what_en: str, value: str, *, shown: str | None = None) -> str | None:
    """Why a name shown to operators (user name, display name, seat) cannot be stored, or None.

    Lengths are the columns' own limits, checked before every flush (models.check_lengths).
    """
    shown = value if shown is None else shown
    if _unencodable(value) or any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in value):
        return f"{what} {shown!r} 含控制字符或无法编码的字符 ({what_en} has control or invalid characters)"
    return None


def password_problem(password: str) -> str | None:
    """Why `password` may not be set, or None (at sign-in any text is simply checked)."""
    if _unencodable(password):
        return "密码含无法编码的字符 (password is not valid text)"
    if len(password) < PASSWORD_MIN:
        return f"密码至少 {PASSWORD_MIN} 位 (password shorter than {PASSWORD_MIN} characters)"
    if len(password) > PASSWORD_MAX:
        return f"密码超过 {PASSWORD_MAX} 位 (password longer than {PASSWORD_MAX} characters)"
    if len(set(password)) == 1:
        return "密码不能是同一个字符的重复 (password is one repeated character)"
    if password.casefold() in COMMON_PASSWORDS:
        return "密码过于常见，请换一个 (password is on the common-password list)"
    return None


def _unencodable(text: str) -> bool:
    """Lone surrogates (from a wrongly decoded command line) cannot be stored or hashed as UTF-8."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
