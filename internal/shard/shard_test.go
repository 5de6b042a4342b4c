package shard

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	tests := []struct {
		text    string
		want    Shard
		wantErr string
	}{
		{text: "0/1", want: Shard{Index: 0, Count: 1}},
		{text: "3/4", want: Shard{Index: 3, Count: 4}},
		{text: "99999/100000", want: Shard{Index: 99999, Count: 100000}},
		{text: "007/16", want: Shard{Index: 7, Count: 16}},
		{text: "4/4", wantErr: "shard index 4 is out of range for 4 shards: indexes count from 0, as Kubernetes' JOB_COMPLETION_INDEX does, so they run from 0 to 3"},
		{text: "", wantErr: `want I/N, shard I of N counted from 0, such as 0/4; got ""`},
		{text: "3", wantErr: `want I/N`},
		{text: "a/4", wantErr: `shard index: "a" is not a number of digits 0-9`},
		{text: "-1/4", wantErr: `shard index: "-1" is not a number`},
		{text: "+1/4", wantErr: `shard index: "+1" is not a number`},
		{text: " 1/4", wantErr: `shard index: " 1" is not a number`},
		{text: "1/4 ", wantErr: `shard count: "4 " is not a number`},
		{text: "1/4/5", wantErr: `shard count: "4/5" is not a number`},
		{text: "/4", wantErr: "shard index: empty, want a number"},
		{text: "1/", wantErr: "shard count: empty, want a number"},
		{text: "0/0", wantErr: "shard count 0 is out of range: want 1 to 100000"},
		{text: "0/100001", wantErr: "shard count 100001 is out of range: want 1 to 100000"},
		{text: "0/99999999999999999999", wantErr: "shard count: 99999999999999999999 is too large: there are at most 100000 shards"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got, err := Parse(tt.text)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, got, must(Parse(got.String())), "String is what Parse reads")
			assert.Equal(t, strconv.Itoa(tt.want.Index), got.Label())
		})
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestResolve(t *testing.T) {
	tests := []struct {
		name     string
		flag     string
		env      map[string]string
		want     Shard
		wantFrom string
		wantErr  string
	}{
		{name: "nothing", env: map[string]string{}},
		{name: "flag", flag: "1/3", want: Shard{1, 3}, wantFrom: "-shard"},
		{name: "CDP_SHARD", env: map[string]string{"CDP_SHARD": "2/3"}, want: Shard{2, 3}, wantFrom: "CDP_SHARD"},
		{
			name:     "indexed job",
			env:      map[string]string{"JOB_COMPLETION_INDEX": "0", "CDP_SHARD_COUNT": "16"},
			want:     Shard{0, 16},
			wantFrom: "JOB_COMPLETION_INDEX and CDP_SHARD_COUNT",
		},
		{
			name: "JOB_COMPLETION_INDEX alone is Kubernetes', ignored",
			env:  map[string]string{"JOB_COMPLETION_INDEX": "3"},
		},
		{name: "empty env vars count as unset", env: map[string]string{"CDP_SHARD": "", "CDP_SHARD_COUNT": ""}},
		{
			name:     "flag and env that agree",
			flag:     "2/4",
			env:      map[string]string{"CDP_SHARD": "2/4", "JOB_COMPLETION_INDEX": "2", "CDP_SHARD_COUNT": "4"},
			want:     Shard{2, 4},
			wantFrom: "-shard",
		},
		{
			name:    "flag and CDP_SHARD disagree",
			flag:    "1/4",
			env:     map[string]string{"CDP_SHARD": "2/4"},
			wantErr: "-shard says shard 1/4 but CDP_SHARD says 2/4: give one, or make them agree",
		},
		{
			name:    "CDP_SHARD and the indexed job disagree",
			env:     map[string]string{"CDP_SHARD": "2/4", "JOB_COMPLETION_INDEX": "2", "CDP_SHARD_COUNT": "8"},
			wantErr: "CDP_SHARD says shard 2/4 but JOB_COMPLETION_INDEX and CDP_SHARD_COUNT says 2/8",
		},
		{name: "bad flag", flag: "4/4", wantErr: `-shard "4/4": shard index 4 is out of range for 4 shards: indexes count from 0`},
		{name: "bad CDP_SHARD", env: map[string]string{"CDP_SHARD": "x"}, wantErr: `CDP_SHARD="x": want I/N`},
		{
			name:    "CDP_SHARD_COUNT without JOB_COMPLETION_INDEX",
			env:     map[string]string{"CDP_SHARD_COUNT": "4"},
			wantErr: `CDP_SHARD_COUNT="4" is set but JOB_COMPLETION_INDEX is not: Kubernetes sets it in the pods of an Indexed Job (completionMode: Indexed); elsewhere use -shard I/N or CDP_SHARD=I/N`,
		},
		{name: "bad CDP_SHARD_COUNT", env: map[string]string{"JOB_COMPLETION_INDEX": "0", "CDP_SHARD_COUNT": "0"}, wantErr: `CDP_SHARD_COUNT="0": shard count 0 is out of range`},
		{
			name:    "index beyond the count: completions larger than CDP_SHARD_COUNT",
			env:     map[string]string{"JOB_COMPLETION_INDEX": "4", "CDP_SHARD_COUNT": "4"},
			wantErr: `JOB_COMPLETION_INDEX="4" with CDP_SHARD_COUNT="4": shard index 4 is out of range for 4 shards: indexes count from 0, as Kubernetes' JOB_COMPLETION_INDEX does, so they run from 0 to 3 (set CDP_SHARD_COUNT to the Job's completions)`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, from, err := Resolve(tt.flag, func(key string) string { return tt.env[key] })
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.wantFrom, from)
			assert.Equal(t, tt.wantFrom == "", got.IsZero())
		})
	}
}
