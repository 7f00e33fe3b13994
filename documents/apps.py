from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = "Documents"

    def ready(self):
        import logging

        from mail import attachments as mail_attachments
        from mail.signals import email_failed, email_sent

        from . import attachments, receivers

        mail_attachments.register("estimate_pdf")(attachments.estimate_pdf)
        mail_attachments.register("invoice_pdf")(attachments.invoice_pdf)
        uid = "documents.history"
        email_sent.connect(receivers.document_email_sent, dispatch_uid=uid)
        email_failed.connect(receivers.document_email_failed, dispatch_uid=uid)
        # WeasyPrint logs each step of every document at INFO.
        logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
