#!/usr/bin/env bash
# Experiment 2: the bundled model grown to 6 layers (2 identity layers appended), same data as e1.
R=/work/runs/issue18/run-b72555b.sh; out=/work/runs/issue18/hops/e2
if [[ -f $out/checkpoint/trainer.json ]]; then
  $R --out $out --resume $out/checkpoint --steps 800 --checkpoint-every 100 --eval-every 100 --eval-n 64 >> $out.log 2>&1
else
  $R --out $out --init-from /work/main/models/maskkv-tiny --steps 800 --seed 301 --task multikey,vartrack-1hop \
    --length 128 --queries 4 --answer-slots 2 --batch 16 --layers 6 --d-model 128 --heads 4 --ffn 384 --lr 5e-4 \
    --warmup 50 --checkpoint-every 100 --eval-every 100 --eval-n 64 > $out.log 2>&1
fi
