from django.contrib import admin

from welfarelab.rounds.models import Round, RoundMember, RoundSubmission


class RoundMemberInline(admin.TabularInline):
    model = RoundMember
    extra = 0
    raw_id_fields = ("organisation", "territory")
    readonly_fields = ("last_reminder_sent_at",)


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ("title", "period", "status", "opens_on", "deadline")
    list_filter = ("status", "period")
    search_fields = ("title",)
    filter_horizontal = ("indicators",)
    raw_id_fields = ("created_by",)
    inlines = [RoundMemberInline]


@admin.register(RoundSubmission)
class RoundSubmissionAdmin(admin.ModelAdmin):
    list_display = ("round", "organisation", "user", "channel", "submitted_at")
    list_filter = ("channel",)
    raw_id_fields = ("round", "organisation", "user", "batch")
    date_hierarchy = "submitted_at"
