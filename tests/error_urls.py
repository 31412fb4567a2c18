"""The project's URLs plus addresses that fail on purpose, for the error-page and error-shape tests."""

from django.urls import path

from config.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


def fail(request):
    raise RuntimeError("/srv/secret/path.py: something internal")


urlpatterns = [path("api/test-failure", fail), path("test-failure/", fail), *urlpatterns]
