#!/usr/bin/env bash
# Experiment 6: e1 for much longer (12,000 steps), with the elimination fix (two chains per question).
R=/work/runs/issue18/run-d1c48fa.sh; out=/work/runs/issue18/hops/e6
if [[ -f $out/checkpoint/trainer.json ]]; then
  $R --out $out --resume $out/checkpoint --steps 12000 --checkpoint-every 500 --eval-every 500 --eval-n 64 >> $out.log 2>&1
else
  $R --out $out --init-from /work/main/models/maskkv-tiny --steps 12000 --seed 601 --task multikey,vartrack-1hop \
    --length 128 --queries 4 --answer-slots 2 --batch 16 --layers 4 --d-model 128 --heads 4 --ffn 384 --lr 5e-4 \
    --warmup 50 --checkpoint-every 500 --eval-every 500 --eval-n 64 > $out.log 2>&1
fi
