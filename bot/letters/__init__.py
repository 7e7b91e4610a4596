"""Written claims for workers: a Russian document to sign plus a copy in their own language.

The public surface (imported from the modules, so `python -m bot.letters.templates` runs clean):

    from bot.letters.model import LetterFacts              # the answers, in memory only
    from bot.letters.templates import load_templates, render
    from bot.letters.pdf import make_pdf

    templates = load_templates(settings.content_dir)        # once, at start-up
    letter = render(templates[facts.kind], facts, "tg")
    pdf_bytes = make_pdf(letter, today=date.today())
"""
