"""The project's URLs plus a page that fails, to see the 500 page as a reader would."""

from django.urls import path

from yilian.urls import *  # noqa: F403 - handler404/handler500 included
from yilian.urls import urlpatterns as _project


def _fail(request):
    raise RuntimeError("a page that fails")


urlpatterns = [path("fails/", _fail), path("api/v1/fails/", _fail), *_project]
