"""The static files collect with hashed names, as `make run` does: no asset names a missing file."""

from django.core.management import call_command


def test_collectstatic_with_the_manifest_storage_finds_every_referenced_file(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }

    call_command("collectstatic", interactive=False, verbosity=0)

    assert (tmp_path / "staticfiles.json").exists()
    assert list(tmp_path.glob("vendor/bootstrap-italia/css/bootstrap-italia.min.*.css"))
