"""Uploaded files checked before they are kept: by extension, by the bytes such a file starts with (so a
renamed file is caught), and by size; names stripped of any path."""

from collections.abc import Mapping
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

# Extension → the bytes a genuine file of that type starts with.
SIGNATURES = {
    ".pdf": (b"%PDF-",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".ofd": (b"PK\x03\x04",),
}
DOCUMENTS = {
    suffix: SIGNATURES[suffix] for suffix in (".pdf", ".jpg", ".jpeg", ".png", ".docx", ".xlsx", ".ofd")
}
PHOTOS = {suffix: SIGNATURES[suffix] for suffix in (".jpg", ".jpeg", ".png")}


def plain_name(name: str) -> str:
    """The file's own name, without any folders a browser or a caller put in front of it."""
    return PurePath(name.replace("\\", "/")).name[:200]


def _too_big(name: str, size: int, max_bytes: int) -> str:
    return f"文件“{name}”大小 {size / 1048576:.1f} MB，超过 {max_bytes // 1048576} MB 上限。"


def upload_content(upload: UploadedFile, max_bytes: int) -> bytes:
    """An uploaded file's bytes, refused before they are read when the file is too big."""
    if upload.size > max_bytes:
        raise ValidationError(_too_big(upload.name, upload.size, max_bytes))
    return upload.read()


def upload_problem(
    name: str, content: bytes, types: Mapping[str, tuple[bytes, ...]], max_bytes: int
) -> str | None:
    """Why the upload is refused, in Chinese, or None."""
    suffix = PurePath(name).suffix.lower()
    if suffix not in types:
        return f"文件“{name}”的类型不受理，请上传 {'、'.join(types)} 文件。"
    if not content:
        return f"文件“{name}”是空文件。"
    if len(content) > max_bytes:
        return _too_big(name, len(content), max_bytes)
    if not content.startswith(types[suffix]):
        return f"文件“{name}”的内容与扩展名 {suffix} 不符，请上传原始文件。"
    return None
