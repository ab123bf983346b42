"""allauth's login form in the column's words. Its own module: allauth.account.forms imports
ACCOUNT_SIGNUP_FORM_CLASS (dearly.accounts.forms) while it loads, so that one cannot import it."""

from allauth.account.forms import LoginForm as AllauthLoginForm


class LoginForm(AllauthLoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "remember" in self.fields:  # allauth's "Remember Me"
            self.fields["remember"].label = "Keep me logged in on this device"
