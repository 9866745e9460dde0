module github.com/a-track-io/golang-sdk

go 1.19
