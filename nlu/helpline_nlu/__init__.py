"""The helpline's code inside Rasa: NLU components (normaliser, language, classifier), the
tracker and lock stores named in endpoints.yml, and the patches to Rasa that `helpline-rasa`
(cli.py) installs before running Rasa's own command (patches.py)."""
