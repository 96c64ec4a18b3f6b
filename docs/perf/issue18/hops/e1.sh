#!/usr/bin/env bash
# Experiment 1: can the bundled 4-layer model learn one hop of variable tracking at all? From its weights, 128 tokens.
R=/work/runs/issue18/run-2f3c8ea.sh; out=/work/runs/issue18/hops/e1
if [[ -f $out/checkpoint/trainer.json ]]; then
  $R --out $out --resume $out/checkpoint --steps 2500 --checkpoint-every 100 --eval-every 100 --eval-n 64 >> $out.log 2>&1
else
  $R --out $out --init-from /work/main/models/maskkv-tiny --steps 800 --seed 301 --task multikey,vartrack-1hop \
    --length 128 --queries 4 --answer-slots 2 --batch 16 --layers 4 --d-model 128 --heads 4 --ffn 384 --lr 5e-4 \
    --warmup 50 --checkpoint-every 100 --eval-every 100 --eval-n 64 > $out.log 2>&1
fi
