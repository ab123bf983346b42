"""Media on S3: the storage MEDIA_* builds writes, reads and names files through the S3 API
(moto stands in for the S3 server inside the test process; nothing goes on the network)."""

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.test import override_settings

import boto3
import pytest
from moto import mock_aws

from dearly.settings.base import s3_media_storage

ENV = {
    "MEDIA_BUCKET": "dearly-media",
    "MEDIA_REGION": "eu-west-1",
    "MEDIA_ACCESS_KEY_ID": "test-key",
    "MEDIA_SECRET_ACCESS_KEY": "test-secret",
    "MEDIA_PUBLIC_URL": "https://media.example.org/files",
}


@pytest.fixture
def s3_storage():
    with mock_aws():
        boto3.client("s3", region_name="eu-west-1").create_bucket(
            Bucket="dearly-media", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
        )
        # Django rebuilds its storages when STORAGES changes (django.test.signals).
        with override_settings(STORAGES={**_storages(), "default": s3_media_storage(ENV)}):
            yield storages["default"]


def _storages():
    from django.conf import settings

    return dict(settings.STORAGES)


def test_an_upload_is_stored_in_the_bucket_and_served_from_the_public_address(s3_storage):
    name = s3_storage.save("images/shed.jpg", ContentFile(b"\xff\xd8 a small jpeg", name="x"))
    again = s3_storage.save("images/shed.jpg", ContentFile(b"another shed", name="x"))

    assert name == "images/shed.jpg" and again != name  # a second upload never overwrites
    body = boto3.client("s3", region_name="eu-west-1").get_object(Bucket="dearly-media", Key=name)[
        "Body"
    ]
    assert body.read() == b"\xff\xd8 a small jpeg"
    assert s3_storage.url(name) == "https://media.example.org/files/images/shed.jpg"
    assert "Signature" not in s3_storage.url(name)  # cached pages must not hold expiring URLs
    with s3_storage.open(again) as stored:
        assert stored.read() == b"another shed"
    s3_storage.delete(again)
    assert not s3_storage.exists(again) and s3_storage.exists(name)


def test_a_missing_bucket_is_a_clear_error_not_a_silent_local_file(s3_storage, settings):
    from botocore.exceptions import ClientError

    boto3.client("s3", region_name="eu-west-1").delete_bucket(Bucket="dearly-media")
    with pytest.raises(ClientError, match="NoSuchBucket"):
        s3_storage.save("images/lost.jpg", ContentFile(b"lost", name="x"))
    assert not (settings.MEDIA_ROOT / "images" / "lost.jpg").exists()
