# shellcheck shell=bash
# Sourced by the operator scripts. run_tool PROJECT [ARGS...]: runs the built .NET tool PROJECT with
# ARGS, building it first only when one of its inputs changed since its last build: a no-op
# `dotnet build` costs seconds, the check below milliseconds. What a cold run does (restore, build)
# goes to stderr; build output appears only when the build fails. The tool's own output is then
# all the script prints.

lab_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# lab_project_dirs DIR: DIR and the directories of every project it references, transitively.
lab_project_dirs() {
  local dir=$1 ref
  printf '%s\n' "$dir"
  while IFS= read -r ref || [ -n "$ref" ]; do
    lab_project_dirs "$(cd "$dir/$(dirname "$ref")" && pwd)"
  done < <(sed -n 's/.*<ProjectReference Include="\([^"]*\)".*/\1/p' "$dir"/*.csproj)
}

# lab_inputs_stamp DIR: one hash over the name, mtime and size of every file the build reads (the
# projects' sources, embedded scripts and templates, and the repository-wide build settings), so an
# edit, a new file and a deleted file all change it.
lab_inputs_stamp() {
  local dirs
  mapfile -t dirs < <(lab_project_dirs "$1" | LC_ALL=C sort -u)
  {
    find "${dirs[@]}" -type d \( -name bin -o -name obj \) -prune -o -type f -printf '%p\t%T@\t%s\n'
    find "$lab_root" -maxdepth 1 -type f \( -name 'Directory.*.props' -o -name global.json -o -name .editorconfig -o -iname nuget.config \) -printf '%p\t%T@\t%s\n'
  } | LC_ALL=C sort | sha256sum | cut -d' ' -f1
}

# lab_dotnet ARGS...: the dotnet CLI run from the root, so the SDK global.json pins is the one that builds.
lab_dotnet() {
  (cd "$lab_root" && dotnet "$@")
}

# built_tool PROJECT: the built assembly of PROJECT, restored and built first where needed (lab_tool_dll).
built_tool() {
  local project stamp_file stamp dll="" log tool why="its inputs changed since the last build" restore=()
  project=$(cd "$lab_root" && cd "$1" && pwd)
  tool=$(basename "$0")
  stamp_file="$project/obj/lab-tool.stamp"
  stamp=$(lab_inputs_stamp "$project")
  # The stamp file holds the inputs' stamp and the built assembly, written after a successful build.
  if [ -f "$stamp_file" ] && [ "$(sed -n 1p "$stamp_file")" = "$stamp" ]; then
    dll=$(sed -n 2p "$stamp_file")
  fi
  if [ -z "$dll" ] || [ ! -f "$dll" ]; then
    if [ ! -f "$project/obj/project.assets.json" ]; then
      echo "$tool: restoring NuGet packages for ${project#"$lab_root"/} (first run)" >&2
      if ! log=$(lab_dotnet restore "$project" --nologo -v quiet 2>&1); then
        printf '%s\n' "$log" >&2
        return 1
      fi
      why="first run" restore=(--no-restore)
    fi
    echo "$tool: building ${project#"$lab_root"/} ($why)" >&2
    if ! log=$(lab_dotnet build "$project" "${restore[@]}" --nologo -v quiet -clp:NoSummary 2>&1); then
      printf '%s\n' "$log" >&2
      return 1
    fi
    dll=$(lab_dotnet msbuild "$project" -nologo -getProperty:TargetPath)
    printf '%s\n%s\n' "$stamp" "$dll" >"$stamp_file"
  fi
  lab_tool_dll=$dll
}

run_tool() {
  built_tool "$1" || return 1
  shift
  dotnet "$lab_tool_dll" "$@"
}
