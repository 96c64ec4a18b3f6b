#!/usr/bin/env bash
# The issue's full tables for a path model (v4: p3 after its suffix-masked stage; v5: stage 9), seed-1234 prompts,
# 200 each. M = the model folder, O = the output folder, MK = the build (bench CLI) that runs them.
# vartrack-path (gen 8, block $VB: semi-autoregressive, as --suffix-mask trained it), needle and multikey (gen 2) at
# 1,024 then 512, five methods at 1/2.5/5/10% at equal budget and equal bytes; multivalue/count/vartrack (one-word)
# full+maskkv; zero-shot 2,048 (40 each); attention diagnostic at 512.
set -uo pipefail
R=/work/runs/issue18/mixed; P=/work/runs/issue18/path; MK=${MK:-/work/runs/issue18/maskkv-a8a8a27.sh}; M=${M:-$P/v4/model}
O=${O:-$P/v4/tables}; VB=${VB:-2}; mkdir -p $O
# the prompts (a fresh machine has none): seed 1234, never used in training; calibration seed 555 as the model card
mkdir -p $R/eval512 $R/eval1024 $R/eval2048 $P
for L in 512 1024 2048; do
  n=200; [[ $L == 2048 ]] && n=40
  for t in needle multikey multivalue vartrack count vartrack-path; do
    f=$R/eval$L/$t.jsonl; [[ $t == vartrack-path ]] && f=$P/vartrack-path-$L.jsonl
    [[ -f $f ]] || $MK make-tasks --task $t --n $n --length $L --seed 1234 --out $f > /dev/null
  done
done
[[ -f $R/eval512/calib.jsonl ]] || for t in needle multikey multivalue vartrack count; do
  $MK make-tasks --task $t --n 8 --length 512 --seed 555 --out $O/calib-$t.jsonl > /dev/null; cat $O/calib-$t.jsonl
done > $R/eval512/calib.jsonl
[[ -f $M/maskkv_profile.json ]] || $MK calibrate --model $M --data $R/eval512/calib.jsonl --gen-length 2 > $O/calibrate.log 2>&1
data() { if [[ $1 == vartrack-path ]]; then echo $P/vartrack-path-$2.jsonl; else echo $R/eval$2/$1.jsonl; fi; }
gen() { if [[ $1 == vartrack-path ]]; then echo 8; else echo 2; fi; }
blk() { if [[ $1 == vartrack-path ]]; then echo $VB; else echo 2; fi; }
for L in 1024 512; do
  case $L in 1024) B=10,25,51,102;; 512) B=5,12,25,51;; esac
  for t in vartrack-path needle multikey; do
    [[ -f $O/$t-$L.csv ]] || $MK eval --model $M --data $(data $t $L) \
      --methods full,maskkv,snapkv,pyramidkv,adakv --budgets $B --kv-bytes 1%,2.5%,5%,10% \
      --gen-length $(gen $t) --block-length $(blk $t) --out $O/$t-$L.csv --predictions $O/$t-$L.pred.jsonl > $O/$t-$L.log 2>&1
  done
done
for t in multivalue count vartrack; do
  [[ -f $O/$t-512.csv ]] || $MK eval --model $M --data $R/eval512/$t.jsonl --methods full,maskkv --budgets 5 \
    --gen-length 2 --block-length 2 --out $O/$t-512.csv > $O/$t-512.log 2>&1
  [[ -f $O/$t-1024.csv ]] || $MK eval --model $M --data $R/eval1024/$t.jsonl --methods full,maskkv --budgets 10 \
    --gen-length 2 --block-length 2 --out $O/$t-1024.csv > $O/$t-1024.log 2>&1
done
for t in vartrack-path needle multikey; do
  [[ -f $O/$t-2048.csv ]] || $MK eval --model $M --data $(data $t 2048) --methods full,maskkv --budgets 204 \
    --gen-length $(gen $t) --block-length $(blk $t) --out $O/$t-2048.csv --predictions $O/$t-2048.pred.jsonl > $O/$t-2048.log 2>&1
done
for t in needle multikey; do
  [[ -f $O/ao-$t-512.csv ]] || $MK attention-overlap --model $M --data $R/eval512/$t.jsonl \
    --budget 5,10,26,51 --gen-length 2 --out $O/ao-$t-512.csv > $O/ao-$t-512.txt 2>&1
done
# maskkv-revote (ours, experimental) on the same prompts, equal budget only (it holds the whole prompt aside), with a
# build that has it: MKR=/work/runs/issue18/maskkv-<hash>.sh
if [[ -n ${MKR:-} ]]; then
  mkdir -p $O/revote
  for L in 1024 512; do
    case $L in 1024) B=10,25,51,102;; 512) B=5,12,25,51;; esac
    for t in vartrack-path needle multikey; do
      [[ -f $O/revote/$t-$L.csv ]] || $MKR eval --model $M --data $(data $t $L) --methods maskkv-revote --budgets $B \
        --gen-length $(gen $t) --block-length $(blk $t) --out $O/revote/$t-$L.csv \
        --predictions $O/revote/$t-$L.pred.jsonl > $O/revote/$t-$L.log 2>&1
    done
  done
fi
echo "tables done $(date -u +%FT%TZ)" > $O/done
