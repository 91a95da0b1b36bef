#!/bin/sh
# bench/plan-scale.sh: does a plan cost more on a real-sized host?
# `pomctl upgrade --patch string --plan` on the demo sandbox (everything
# cached) and on two copies of it whose rpm database is grown with
# generated packages of empty files (installed --justdb: only the database
# grows) to about 25 MB and 150 MB, R runs each (default 21), side by
# side with `rpm -q iptables` on the same databases.  Goals: the demo
# plan's median <= 50 ms, the 150 MB plan <= 1.2 x the demo plan.  Also
# shown: the rpm database directory is the same, times included, after
# the plans.  Not a pass/fail test.  Needs: build/pomctl and build/world.
set -eu
. "$(dirname "$0")/lib.sh"
runs=${1:-21}
files=${PLAN_SCALE_FILES:-140000}	# files in each generated package
sb=$work/sb
"$top/tests/fixtures/mkroot" "$sb" --world "$top/build/world" >/dev/null
P="$top/build/pomctl"
$P --root "$sb" upgrade --patch string >/dev/null 2>&1 || true
$P --root "$sb" rollback --force >/dev/null 2>&1 || true
rm -f "$sb/var/lib/pomctl/state.json"

# six packages of $files empty files each, built once
top_rpm=$work/rpmtop
mkdir -p "$top_rpm/SPECS"
{
	echo "Name: bench-fill"
	echo "Version: 1"
	echo "Release: 1"
	echo "Summary: files for a large rpm database"
	echo "License: GPL-2.0-or-later"
	echo "BuildArch: noarch"
	echo "%description"
	echo "Files for a large rpm database."
	for n in 1 2 3 4 5 6; do
		echo "%package $n"
		echo "Summary: part $n"
		echo "%description $n"
		echo "Part $n."
		echo "%files $n"
		echo "/opt/bench-fill/$n"
	done
	echo "%install"
	echo "for n in 1 2 3 4 5 6; do mkdir -p %{buildroot}/opt/bench-fill/\$n; (cd %{buildroot}/opt/bench-fill/\$n && seq -f 'file-%06g' $files | xargs touch); done"
} >"$top_rpm/SPECS/fill.spec"
rpmbuild --define "_topdir $top_rpm" --define '__os_install_post %{nil}' \
	--define 'debug_package %{nil}' --define '_binary_payload w1.gzdio' \
	-bb "$top_rpm/SPECS/fill.spec" >"$work/rpmbuild.log" 2>&1 ||
	{ cat "$work/rpmbuild.log" >&2; exit 1; }

grow() {	# grow ROOT N: install parts 1..N into ROOT's database only
	pkgs=
	for n in $(seq "$2"); do pkgs="$pkgs $top_rpm/RPMS/noarch/bench-fill-$n-1-1.noarch.rpm"; done
	# shellcheck disable=SC2086
	rpm --root "$1" --dbpath /var/lib/rpm -i --justdb --nodeps --noscripts --force-debian $pkgs
}
cp -a "$sb" "$work/sb25"
grow "$work/sb25" 1
cp -a "$sb" "$work/sb150"
grow "$work/sb150" 6

dbdir_state() {	# everything of the database directory, ctimes included
	(cd "$1/var/lib/rpm" && find . -printf '%p %y %m %s %i %T@ %C@\n' | sort &&
	 find . -type f -print0 | sort -z | xargs -0 -r sha256sum)
}
echo "plan on hosts of three sizes, $runs runs each (median, worst):"
for h in sb sb25 sb150; do
	r=$work/$h
	size=$(du -sm "$r/var/lib/rpm" | cut -f1)
	before=$(dbdir_state "$r")
	set -- $(median_ms "$runs" $P --root "$r" upgrade --patch string --plan)
	plan=$1 worst=$2
	after=$(dbdir_state "$r")
	set -- $(median_ms "$runs" rpm --root "$r" --dbpath /var/lib/rpm -q iptables)
	rpmq=$1
	same=yes
	[ "$before" = "$after" ] || same=NO
	printf '  %-6s rpm database %4s MB: plan %6.1f ms (worst %6.1f), rpm -q iptables %6.1f ms; database directory unchanged by the plans: %s\n' \
		"$h" "$size" "$plan" "$worst" "$rpmq" "$same"
	eval "plan_$h=$plan size_$h=$size same_$h=$same"
done
ratio=$(awk -v a="$plan_sb150" -v b="$plan_sb" 'BEGIN { printf "%.2f", a / b }')
echo "  plan on the ${size_sb150} MB database / plan on the demo host: $ratio"
result "plan-scale: plan median on the demo host" "$plan_sb ms" "<= 50 ms" "$(verdict '<=' "$plan_sb" 50)"
result "plan-scale: plan on a ${size_sb150} MB rpm database / on the demo host" "$ratio" "<= 1.2" "$(verdict '<=' "$ratio" 1.2)"
result "plan-scale: the rpm database directory after the plans, times included" "$([ "$same_sb$same_sb25$same_sb150" = yesyesyes ] && echo unchanged || echo CHANGED)" "unchanged" "$([ "$same_sb$same_sb25$same_sb150" = yesyesyes ] && echo met || echo missed)"
