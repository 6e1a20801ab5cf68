#!/usr/bin/env bash
# Checks the AWS tools the awssetup tests run, and says how to install what is missing.
#
#   bash scripts/ensure-aws-tools.sh
#
# Required (the tests fail without them when CI is set, and skip with this hint otherwise):
#   moto_server  an AWS emulator the generated CloudFormation templates are deployed to
#   cfn-lint     the CloudFormation linter every template must pass
# Optional (their tests skip when they are missing, even in CI):
#   aws, jq      run the cli format's script against the emulator
#   terraform    terraform validate, with a local aws provider in TF_PLUGIN_DIR (default /opt/tf-plugins)
#
# Exits 1 when a required tool is missing.
set -euo pipefail

missing=0
check() {
	local name=$1 kind=$2 hint=$3
	if command -v "$name" >/dev/null 2>&1; then
		printf 'ok       %-12s %s\n' "$name" "$(command -v "$name")"
	else
		printf 'MISSING  %-12s (%s) %s\n' "$name" "$kind" "$hint"
		if [ "$kind" = required ]; then
			missing=1
		fi
	fi
}

check moto_server required 'pip install "moto[server]"'
check cfn-lint required 'pip install cfn-lint'
check aws optional 'pip install awscli (or apt-get install awscli)'
check jq optional 'apt-get install jq'
check terraform optional 'a terraform binary on PATH, and the hashicorp/aws provider unpacked in TF_PLUGIN_DIR'

if [ "$missing" -ne 0 ]; then
	echo 'install the missing tools with: pip install "moto[server]" cfn-lint' >&2
	exit 1
fi
