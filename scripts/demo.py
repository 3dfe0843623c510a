"""Demo helper: seeds the emulated account (moto) with the seed scenarios' principals and prints
IAM state and the alerts received. Talks to AWS_ENDPOINT_URL with boto3 (installed with moto).
  python scripts/demo.py seed     -> prints the alert topic ARN on the last line
  python scripts/demo.py state    -> attached policies per principal
  python scripts/demo.py alerts   -> the alerts delivered to the SQS inbox
  python scripts/demo.py summary  -> one line from a `cargo lambda invoke` result on stdin
  python scripts/demo.py learned  -> the least-privilege policies the guard put on DynamoDBBackupRole"""
import json
import os
import sys

import boto3
from botocore.config import Config

iam = boto3.client("iam")
sns = boto3.client("sns")
sqs = boto3.client("sqs")
s3 = boto3.client("s3", config=Config(s3={"addressing_style": "path"}))
TRAIL_BUCKET = "iam-guard-demo-trail"
TRAIL = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "events", "trails", "dynamodb-backup-role")

LAMBDA_TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
BACKUP = ["AmazonDynamoDBFullAccess", "AmazonS3FullAccess", "AmazonSESFullAccess", "CloudFrontFullAccess",
          "service-role/AWSLambdaBasicExecutionRole"]


def seed():
    # What the tutorials produced: done directly in IAM, as a person would, before the events arrive.
    iam.create_role(RoleName="DynamoDBBackupRole", AssumeRolePolicyDocument=LAMBDA_TRUST)
    for p in BACKUP:
        iam.attach_role_policy(RoleName="DynamoDBBackupRole", PolicyArn=f"arn:aws:iam::aws:policy/{p}")
    iam.create_user(UserName="console-carol")
    iam.create_login_profile(UserName="console-carol", Password="Tutorial-Passw0rd!")
    iam.attach_user_policy(UserName="console-carol", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    iam.create_access_key(UserName="console-carol")
    iam.create_role(RoleName="orders-fn", AssumeRolePolicyDocument=LAMBDA_TRUST)
    iam.create_role(RoleName="partner-access", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}]}))
    # The trail: 14 days of the backup function's calls, in CloudTrail's S3 layout (what the
    # `replace` rule action learns least privilege from).
    s3.create_bucket(Bucket=TRAIL_BUCKET)
    for folder, _, files in os.walk(TRAIL):
        for name in files:
            path = os.path.join(folder, name)
            s3.upload_file(path, TRAIL_BUCKET, os.path.relpath(path, TRAIL))
    topic = sns.create_topic(Name="iam-guard-alerts")["TopicArn"]
    q = sqs.create_queue(QueueName="iam-guard-inbox")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=q, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    print(topic)


def state():
    for r in ["DynamoDBBackupRole", "orders-fn", "partner-access"]:
        names = [p["PolicyName"] for p in iam.list_attached_role_policies(RoleName=r)["AttachedPolicies"]]
        inline = [f"{n} (inline)" for n in iam.list_role_policies(RoleName=r)["PolicyNames"]]
        print(f"  role {r:<20} {', '.join(names + inline) or '(none)'}")
    names = [p["PolicyName"] for p in iam.list_attached_user_policies(UserName="console-carol")["AttachedPolicies"]]
    keys = len(iam.list_access_keys(UserName="console-carol")["AccessKeyMetadata"])
    print(f"  user {'console-carol':<20} {', '.join(names) or '(none)'}   ({keys} access key)")


def alerts():
    q = sqs.get_queue_url(QueueName="iam-guard-inbox")["QueueUrl"]
    got = []
    while True:
        r = sqs.receive_message(QueueUrl=q, MaxNumberOfMessages=10, MessageAttributeNames=["All"])
        if not r.get("Messages"):
            break
        for m in r["Messages"]:
            note = json.loads(m["Body"])
            got.append((note.get("Subject", ""), {k: v["Value"] for k, v in note.get("MessageAttributes", {}).items()},
                        json.loads(note["Message"])))
            sqs.delete_message(QueueUrl=q, ReceiptHandle=m["ReceiptHandle"])
    for subject, attrs, _ in got:
        print(f"  {subject}")
        print(f"      attributes: {json.dumps(attrs, sort_keys=True)}")
    print(f"  {len(got)} alerts")
    if got:
        # One e-mail in full, as a person receives it (the SNS 'email' body).
        print("\n--- the first alert as e-mailed ---")
        print(got[0][2]["text"])


def summary():
    """One line per invocation result: each change's decision and what was executed."""
    out = json.loads(sys.stdin.read())
    parts = []
    for x in out.get("handled", []):
        if "ignored" in x:
            parts.append(f"ignored: {x['ignored']}")
            continue
        done = f" ({x['executed']['result']})" if x.get("executed") else ""
        alert = f" -> alert: {x['alert']}" if x.get("alert") else ""
        parts.append(f"{x['decision']}{done}{alert}")
    print("; ".join(parts) or json.dumps(out))


def learned():
    """The policies the guard gave back: what the backup function can still do."""
    for name in iam.list_role_policies(RoleName="DynamoDBBackupRole")["PolicyNames"]:
        doc = iam.get_role_policy(RoleName="DynamoDBBackupRole", PolicyName=name)["PolicyDocument"]
        for st in doc["Statement"]:
            actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
            resources = st["Resource"] if isinstance(st["Resource"], list) else [st["Resource"]]
            print(f"  {name}: {', '.join(actions)} on {', '.join(resources)}")


{"seed": seed, "state": state, "alerts": alerts, "summary": summary, "learned": learned}[sys.argv[1]]()
