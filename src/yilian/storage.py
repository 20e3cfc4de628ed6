"""Generated files (生成文件: license PDFs) through Django's storage API.

Where they live is configuration (``settings.STORAGES["default"]``): by default
:class:`PrivateFileStorage` in ``<data dir>/files``; with ``YILIAN_FILES_S3_BUCKET`` an
S3-compatible object store through django-storages (the optional ``s3`` extra), so
every host serves the file any host wrote. A file here is only ever a cache of something
the database can make again byte for byte (:mod:`yilian.licenses.pdf`), so a host that
lacks it — its own disk, or a store that lost it — renders it again, the same bytes.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.files.storage import FileSystemStorage, storages
from django.utils._os import safe_makedirs

from yilian import files


class PrivateFileStorage(FileSystemStorage):
    """The data dir's files: 0600 in 0700 folders from the moment they exist (a PDF names
    people), and written whole — a reader on another thread or process sees the whole
    file or none (Django's own writes in place)."""

    def __init__(self, **options) -> None:
        options.setdefault("file_permissions_mode", files.FILE_MODE)
        options.setdefault("directory_permissions_mode", files.DIR_MODE)
        super().__init__(**options)

    def _save(self, name: str, content) -> str:
        full_path = Path(self.path(name))
        safe_makedirs(full_path.parent, files.DIR_MODE, exist_ok=True)
        data = b"".join(chunk if isinstance(chunk, bytes) else chunk.encode()
                        for chunk in content.chunks())
        while not files.create_once(full_path, data):  # never over another's file
            name = self.get_available_name(name)
            full_path = Path(self.path(name))
        return os.path.relpath(full_path, self.location).replace(os.sep, "/")


def generated():
    """The storage generated files go to (``STORAGES["default"]``)."""
    return storages["default"]


def s3_options(conf_get, secret) -> dict:
    """django-storages' S3Storage options from ``YILIAN_FILES_S3_*``."""
    options = {
        "bucket_name": conf_get("YILIAN_FILES_S3_BUCKET"),
        "location": conf_get("YILIAN_FILES_S3_PREFIX"),
        # Private objects, handed out by Yilian's own views (which check who asks),
        # never by a public or pre-signed URL.
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": True,  # a cached file is the same bytes whoever writes it
    }
    for option, variable in (("endpoint_url", "YILIAN_FILES_S3_ENDPOINT_URL"),
                             ("region_name", "YILIAN_FILES_S3_REGION")):
        if conf_get(variable):
            options[option] = conf_get(variable)
    for option, variable in (("access_key", "YILIAN_FILES_S3_ACCESS_KEY"),
                             ("secret_key", "YILIAN_FILES_S3_SECRET_KEY")):
        value = secret(variable)
        if value:  # else boto3's own chain: instance role, AWS_* variables, ~/.aws
            options[option] = value
    return options
