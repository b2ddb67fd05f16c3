# Sourced by the operator scripts. run_tool PROJECT [ARGS...]: builds the .NET project quietly (its
# build output appears only when the build fails), then runs it with ARGS. The tool's own output is
# then all the script prints.
run_tool() {
  local project=$1 log
  shift
  if ! log=$(dotnet build "$project" --nologo -v quiet -clp:NoSummary 2>&1); then
    printf '%s\n' "$log" >&2
    return 1
  fi
  dotnet run --project "$project" --no-build -- "$@"
}
