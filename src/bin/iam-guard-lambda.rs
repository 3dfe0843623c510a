#![recursion_limit = "256"]
//! The Lambda entrypoint: JSON logs, settings and SDK clients once at cold start, then
//! `App::handle` per invocation.
use iam_guard::aws::{load_config, DynamoLedger, SdkIam, SdkLookup, SdkMembers, SdkTrail, SnsPublisher};
use iam_guard::lambda::{App, Settings};
use lambda_runtime::{service_fn, Diagnostic, Error, LambdaEvent};
use serde_json::Value;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    // RUST_LOG is one level (error, warn, info, debug, trace); a full filter grammar would pull
    // a regex engine into the bootstrap.
    let level =
        std::env::var("RUST_LOG").ok().and_then(|l| l.parse::<tracing::Level>().ok()).unwrap_or(tracing::Level::INFO);
    tracing_subscriber::fmt()
        .json()
        .with_max_level(level)
        .with_current_span(false)
        .without_time() // CloudWatch stamps each line
        .init();
    let settings = Settings::from_env()?;
    let sdk = load_config().await;
    let trail = settings
        .trail
        .as_ref()
        .map(|t| std::sync::Arc::new(SdkTrail::new(&sdk, &t.bucket, t.prefix.as_deref(), t.org_id.as_deref())));
    let mut iam = SdkIam::new(&sdk).with_resource_regions(settings.resource_regions.clone());
    if let Some(t) = &trail {
        iam = iam.with_trail(t.clone());
    }
    // Without a trail bucket: the guard's own account's event history (management events).
    if let Some(l) = &settings.lookup {
        iam = iam.with_lookup(std::sync::Arc::new(SdkLookup::new(&sdk, &l.regions, l.max_pages)));
    }
    let app = App::new(
        settings.config,
        settings.own_role.as_deref(),
        iam,
        SnsPublisher::new(&sdk, settings.topic_arn).with_chat_topic(settings.chat_topic_arn),
    );
    // Without IAM_GUARD_TABLE (None) every delivery is answered, as without a ledger.
    let app = app.with_ledger(settings.table.map(|t| DynamoLedger::new(&sdk, &t).with_lease(settings.lease_secs)));
    // A hub (IAM_GUARD_MEMBER_ROLE): events from other accounts are acted on there.
    let members = settings.member_role.as_deref().map(|r| {
        let m =
            SdkMembers::new(&sdk, r).with_trail(trail.clone()).with_resource_regions(settings.resource_regions.clone());
        match &settings.lookup {
            Some(l) => m.with_lookup(l.regions.clone(), l.max_pages),
            None => m,
        }
    });
    let app = &app.with_members(settings.account_id.as_deref().unwrap_or_default(), members);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        app.handle(event.payload).await.map_err(Diagnostic::from)
    }))
    .await
}
