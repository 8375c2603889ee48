"""Password strength beyond Django's built-in validators."""

from typing import Any


class MixedCharacterValidator:
    """At least one letter and one digit: the minimum most 政务 security baselines ask for."""

    def validate(self, password: str, user: Any = None) -> None:
        from django.core.exceptions import ValidationError

        if not any(c.isalpha() for c in password) or not any(c.isdigit() for c in password):
            raise ValidationError("密码须同时包含字母和数字。", code="password_not_mixed")

    def get_help_text(self) -> str:
        return "密码须同时包含字母和数字。"
