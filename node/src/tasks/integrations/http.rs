//! `arn:aws:states:::http:invoke`: calls an HTTP endpoint (reference §7.5).
//!
//! Plain HTTP only: HTTPS endpoints fail the task with a message saying so. Non-2xx answers
//! fail with `States.Http.StatusCode.<code>`; a call that takes more than 60 seconds or cannot
//! connect fails with `States.Http.Socket`.

use std::time::Duration;

use asl::Failure;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::{Map, Value, json};

const TIMEOUT: Duration = Duration::from_secs(60);
const RESPONSE_BYTES_MAX: usize = 256 * 1024;

pub async fn invoke(arguments: &Value) -> Result<Value, Failure> {
    let endpoint = arguments
        .get("ApiEndpoint")
        .and_then(Value::as_str)
        .ok_or_else(|| bad_request("http:invoke needs an ApiEndpoint string"))?;
    let method = arguments
        .get("Method")
        .and_then(Value::as_str)
        .unwrap_or("GET")
        .to_ascii_uppercase();
    if !["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"].contains(&method.as_str()) {
        return Err(bad_request(&format!(
            "{method} is not an HTTP method http:invoke supports"
        )));
    }
    if endpoint.starts_with("https://") {
        return Err(Failure::new(
            "Cairn.HttpsNotSupported",
            format!("{endpoint}: this cluster calls plain HTTP endpoints only"),
        ));
    }
    let url = with_query(endpoint, arguments.get("QueryParameters"))?;
    let (body, content_type) = request_body(arguments)?;
    let mut builder = hyper::Request::builder().method(method.as_str()).uri(&url);
    if let Some(content_type) = content_type {
        builder = builder.header("content-type", content_type);
    }
    if let Some(Value::Object(headers)) = arguments.get("Headers") {
        for (name, value) in headers {
            let value = match value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            builder = builder.header(name.as_str(), value);
        }
    }
    let request = builder
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| bad_request(&e.to_string()))?;
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let response = tokio::time::timeout(TIMEOUT, client.request(request))
        .await
        .map_err(|_| socket(&format!("{url} did not answer within 60 seconds")))?
        .map_err(|e| socket(&format!("{url}: {e}")))?;
    let status = response.status();
    let mut headers = Map::new();
    for (name, value) in response.headers() {
        headers.insert(name.to_string(), json!(value.to_str().unwrap_or_default()));
    }
    let collected = tokio::time::timeout(TIMEOUT, response.into_body().collect())
        .await
        .map_err(|_| {
            socket(&format!(
                "{url} did not finish its answer within 60 seconds"
            ))
        })?
        .map_err(|e| socket(&format!("{url}: {e}")))?
        .to_bytes();
    if collected.len() > RESPONSE_BYTES_MAX {
        return Err(Failure::new(
            "States.DataLimitExceeded",
            format!("the response of {url} is larger than {RESPONSE_BYTES_MAX} bytes"),
        ));
    }
    let text = String::from_utf8_lossy(&collected).into_owned();
    let body = serde_json::from_str::<Value>(&text).unwrap_or(Value::String(text));
    let result = json!({
        "Headers": headers,
        "ResponseBody": body,
        "StatusCode": status.as_u16(),
        "StatusText": status.canonical_reason().unwrap_or_default(),
    });
    if status.is_success() {
        Ok(result)
    } else {
        Err(Failure::new(
            format!("States.Http.StatusCode.{}", status.as_u16()),
            asl::interpreter::compact(&result),
        ))
    }
}

fn with_query(endpoint: &str, parameters: Option<&Value>) -> Result<String, Failure> {
    let Some(Value::Object(parameters)) = parameters else {
        return Ok(endpoint.to_owned());
    };
    let mut url = endpoint.to_owned();
    let mut separator = if url.contains('?') { '&' } else { '?' };
    for (name, value) in parameters {
        let values: Vec<String> = match value {
            Value::Array(items) => items.iter().map(scalar_text).collect(),
            other => vec![scalar_text(other)],
        };
        for value in values {
            url.push(separator);
            url.push_str(&percent_encode(name));
            url.push('=');
            url.push_str(&percent_encode(&value));
            separator = '&';
        }
    }
    Ok(url)
}

/// The body and its content type: JSON by default, form-encoded when
/// `Transform.RequestBodyEncoding` is `URL_ENCODED`.
fn request_body(arguments: &Value) -> Result<(Vec<u8>, Option<&'static str>), Failure> {
    let Some(body) = arguments.get("RequestBody") else {
        return Ok((Vec::new(), None));
    };
    let encoding = arguments
        .get("Transform")
        .and_then(|t| t.get("RequestBodyEncoding"))
        .and_then(Value::as_str)
        .unwrap_or("NONE");
    if encoding == "URL_ENCODED" {
        let Value::Object(fields) = body else {
            return Err(bad_request("a URL_ENCODED RequestBody must be an object"));
        };
        let pairs: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(&scalar_text(v))))
            .collect();
        return Ok((
            pairs.join("&").into_bytes(),
            Some("application/x-www-form-urlencoded"),
        ));
    }
    match body {
        Value::String(text) => Ok((text.clone().into_bytes(), Some("text/plain"))),
        other => Ok((
            asl::interpreter::compact(other).into_bytes(),
            Some("application/json"),
        )),
    }
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

fn bad_request(message: &str) -> Failure {
    Failure::new("States.Runtime", message)
}

fn socket(message: &str) -> Failure {
    Failure::new("States.Http.Socket", message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_parameters_are_encoded_and_repeated_for_arrays() {
        let url = with_query("http://h/p", Some(&json!({"a b": "x&y", "n": [1, 2]}))).unwrap();
        assert_eq!(url, "http://h/p?a%20b=x%26y&n=1&n=2");
    }

    #[tokio::test]
    async fn https_and_bad_methods_are_refused_with_clear_errors() {
        let err = invoke(&json!({"ApiEndpoint": "https://example.com", "Method": "GET"}))
            .await
            .unwrap_err();
        assert_eq!(err.error, "Cairn.HttpsNotSupported");
        let err = invoke(&json!({"ApiEndpoint": "http://127.0.0.1:1", "Method": "BREW"}))
            .await
            .unwrap_err();
        assert_eq!(err.error, "States.Runtime");
    }
}
