<?php

declare(strict_types=1);

// A scripted HTTP server for the transport tests (`php -S 127.0.0.1:PORT router.php`):
//   /echo                      200 with the request's method, headers and body
//   /status/NNN?retry_after=S  NNN with an error body (and Retry-After S)
//   /slow?seconds=S            200 after S seconds
//   /flaky/NAME/N              503 (Retry-After 0) N times for NAME, then /echo
$path = (string) parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
$query = [];
parse_str((string) parse_url($_SERVER['REQUEST_URI'], PHP_URL_QUERY), $query);

$answer = static function (int $status, array $body, array $headers = []): void {
    http_response_code($status);
    header('Content-Type: application/json');
    foreach ($headers as $name => $value) {
        header("{$name}: {$value}");
    }
    echo json_encode($body);
};
$echo = static function () use ($answer): void {
    $answer(200, ['success' => true, 'echo' => [
        'method' => $_SERVER['REQUEST_METHOD'],
        'headers' => array_change_key_case(getallheaders(), CASE_LOWER),
        'body' => json_decode((string) file_get_contents('php://input'), true),
        'raw' => (string) file_get_contents('php://input'),
    ]]);
};

if ($path === '/echo') {
    $echo();
} elseif (preg_match('#^/status/(\d{3})$#', $path, $m) === 1) {
    $headers = isset($query['retry_after']) ? ['Retry-After' => (string) $query['retry_after']] : [];
    $answer((int) $m[1], ['success' => false, 'error' => ['code' => "scripted_{$m[1]}", 'message' => 'scripted', 'fields' => []]], $headers);
} elseif ($path === '/slow') {
    usleep((int) (((float) ($query['seconds'] ?? 1)) * 1_000_000));
    $echo();
} elseif (preg_match('#^/flaky/(\w+)/(\d+)$#', $path, $m) === 1) {
    $counter = sys_get_temp_dir() . "/atrack-php-flaky-{$m[1]}";
    $seen = (int) @file_get_contents($counter);
    file_put_contents($counter, (string) ($seen + 1));
    if ($seen < (int) $m[2]) {
        $answer(503, ['success' => false, 'error' => ['code' => 'unavailable', 'message' => 'try later']], ['Retry-After' => '0']);
    } else {
        $echo();
    }
} else {
    $answer(404, ['success' => false, 'error' => ['code' => 'not_found', 'message' => 'no route']]);
}
