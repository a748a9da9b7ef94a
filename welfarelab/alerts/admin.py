from django.contrib import admin

from welfarelab.alerts.models import NewsPost, OutboxMessage, Subscription, TelegramSubscriber


@admin.register(NewsPost)
class NewsPostAdmin(admin.ModelAdmin):
    list_display = ["title", "published_at", "author"]
    list_filter = ["themes"]
    search_fields = ["title", "body"]
    filter_horizontal = ["themes"]

    def save_model(self, request, obj, form, change):
        if not change and obj.author_id is None:
            obj.author = request.user
        super().save_model(request, obj, form, change)


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["email", "frequency", "confirmed_at", "unsubscribed_at", "last_digest_at"]
    list_filter = ["frequency", "themes"]
    search_fields = ["email"]


@admin.register(TelegramSubscriber)
class TelegramSubscriberAdmin(admin.ModelAdmin):
    list_display = ["chat_id", "active", "created_at"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["idempotency_key", "channel", "recipient", "status", "attempts", "next_attempt_at"]
    list_filter = ["status", "channel"]
    search_fields = ["idempotency_key", "recipient", "subject"]
    readonly_fields = ["idempotency_key", "attempts", "locked_by", "locked_until", "sent_at", "last_error"]
