"""Forms every feature uses."""


from flask_wtf import FlaskForm


class SimpleForm(FlaskForm):
    """A button that posts (retire, rotate a key, delete): CSRF only."""
