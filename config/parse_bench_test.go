package config

import (
	"os"
	"testing"
)

func BenchmarkParseExample(b *testing.B) {
	data, err := os.ReadFile("../config.example.toml")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Parse(data, "toml", "", fuzzOptions); err != nil {
			b.Fatal(err)
		}
	}
}
