//! The live half of IAM's action-level last-accessed data, against aws-smithy-mocks (moto has
//! neither GenerateServiceLastAccessedDetails nor GetServiceLastAccessedDetails): the job asked
//! for at ACTION_LEVEL, polled while IN_PROGRESS (bounded), every page read, failures named.

use aws_sdk_iam::operation::generate_service_last_accessed_details::GenerateServiceLastAccessedDetailsOutput;
use aws_sdk_iam::operation::get_service_last_accessed_details::GetServiceLastAccessedDetailsOutput;
use aws_sdk_iam::primitives::DateTime;
use aws_sdk_iam::types::{
    AccessAdvisorUsageGranularityType, ErrorDetails, JobStatusType, ServiceLastAccessed, TrackedActionLastAccessed,
};
use aws_sdk_iam::Client;
use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};
use iam_guard::aws::last_accessed::Polling;
use iam_guard::aws::SdkIam;
use iam_guard::guard::ports::{IamRead, PortError};
use std::time::Duration;

const ROLE: &str = "arn:aws:iam::111122223333:role/DynamoDBBackupRole";
const NOV_19: i64 = 1_795_057_200; // 2026-11-19T03:00:00Z

fn generate() -> Rule {
    mock!(Client::generate_service_last_accessed_details)
        .match_requests(|r| {
            r.arn() == Some(ROLE) && r.granularity() == Some(&AccessAdvisorUsageGranularityType::ActionLevel)
        })
        .then_output(|| GenerateServiceLastAccessedDetailsOutput::builder().job_id("job-1").build())
}

fn page(
    status: JobStatusType,
    services: Vec<ServiceLastAccessed>,
    marker: Option<&str>,
) -> GetServiceLastAccessedDetailsOutput {
    GetServiceLastAccessedDetailsOutput::builder()
        .job_status(status)
        .job_creation_date(DateTime::from_secs(NOV_19))
        .job_completion_date(DateTime::from_secs(NOV_19 + 5))
        .set_services_last_accessed(Some(services))
        .is_truncated(marker.is_some())
        .set_marker(marker.map(str::to_string))
        .build()
        .unwrap()
}

fn s3() -> ServiceLastAccessed {
    ServiceLastAccessed::builder()
        .service_name("Amazon S3")
        .service_namespace("s3")
        .last_authenticated(DateTime::from_secs(NOV_19))
        .tracked_actions_last_accessed(
            TrackedActionLastAccessed::builder()
                .action_name("GetObject")
                .last_accessed_time(DateTime::from_secs(NOV_19))
                .build(),
        )
        .tracked_actions_last_accessed(TrackedActionLastAccessed::builder().action_name("DeleteObject").build())
        .build()
        .unwrap()
}

fn dynamodb() -> ServiceLastAccessed {
    ServiceLastAccessed::builder()
        .service_name("Amazon DynamoDB")
        .service_namespace("dynamodb")
        .last_authenticated(DateTime::from_secs(NOV_19 - 60))
        .build()
        .unwrap()
}

fn iam(rules: &[&Rule]) -> SdkIam {
    let client = mock_client!(aws_sdk_iam, RuleMode::MatchAny, rules);
    SdkIam::from_client(client).with_polling(Polling { polls: 3, wait: Duration::from_millis(1) })
}

#[tokio::test]
async fn polls_while_in_progress_and_reads_every_page() {
    let generate = generate();
    let get = mock!(Client::get_service_last_accessed_details)
        .match_requests(|r| r.job_id() == Some("job-1"))
        .sequence()
        .output(|| page(JobStatusType::InProgress, vec![], None))
        .output(|| page(JobStatusType::Completed, vec![s3()], Some("m-2")))
        .output(|| page(JobStatusType::Completed, vec![dynamodb()], None))
        .build();
    let iam = iam(&[&generate, &get]);
    let report = iam.last_accessed(ROLE).await.unwrap().expect("the SDK adapter can ask");
    assert_eq!(report.services.keys().collect::<Vec<_>>(), ["dynamodb", "s3"]);
    let s3 = &report.services["s3"];
    assert_eq!(s3.actions["GetObject"].map(|t| t.timestamp()), Some(NOV_19));
    assert_eq!(s3.actions["DeleteObject"], None);
    assert!(report.services["dynamodb"].actions.is_empty());
    assert_eq!(report.services["dynamodb"].last.map(|t| t.timestamp()), Some(NOV_19 - 60));
    assert_eq!((generate.num_calls(), get.num_calls()), (1, 3));
    assert_eq!(iam.calls(), 4, "each IAM call counted (README's calls table)");
}

#[tokio::test]
async fn a_job_that_never_completes_or_fails_is_an_error_naming_it() {
    let asked = generate();
    let slow = mock!(Client::get_service_last_accessed_details)
        .sequence()
        .output(|| page(JobStatusType::InProgress, vec![], None))
        .times(10)
        .build();
    let e = iam(&[&asked, &slow]).last_accessed(ROLE).await.unwrap_err();
    assert!(e.to_string().contains("still IN_PROGRESS after 3 reads") && e.to_string().contains("job-1"), "{e}");
    assert_eq!(slow.num_calls(), 3, "bounded by the polling");

    let asked = generate();
    let failed = mock!(Client::get_service_last_accessed_details).then_output(|| {
        let mut p = page(JobStatusType::Failed, vec![], None);
        p.error = Some(ErrorDetails::builder().code("Failed").message("the entity was deleted").build().unwrap());
        p
    });
    let e = iam(&[&asked, &failed]).last_accessed(ROLE).await.unwrap_err();
    assert!(e.to_string().contains("job FAILED: the entity was deleted"), "{e}");
}

#[tokio::test]
async fn a_guard_role_without_the_permission_gets_denied_not_a_guess() {
    let denied = mock!(Client::generate_service_last_accessed_details).then_error(|| {
        aws_sdk_iam::operation::generate_service_last_accessed_details::GenerateServiceLastAccessedDetailsError::generic(
            aws_sdk_iam::error::ErrorMetadata::builder().code("AccessDenied").message("not authorized").build(),
        )
    });
    let e = iam(&[&denied]).last_accessed(ROLE).await.unwrap_err();
    assert!(matches!(e, PortError::Denied(_)), "{e:?}");
    assert!(e.to_string().contains("GenerateServiceLastAccessedDetails"), "{e}");
}
